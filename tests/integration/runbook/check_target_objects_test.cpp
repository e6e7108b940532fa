// check's view of the target's contents and of the source's objects a
// managed target cannot load: pre-installed extensions are not user objects
// (fidelity case 12), and their versions are judged against the source's.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "rig/rig.h"

namespace pgshuttle {
namespace {

using rig::psql;

const nlohmann::json* finding(const nlohmann::json& report, const std::string& code) {
  for (const auto& f : report["findings"]) {
    if (f["code"] == code) return &f;
  }
  return nullptr;
}

nlohmann::json check(const std::string& source_url, const std::string& target_url,
                     int expected_exit) {
  auto r = rig::run_pgshuttle({"check", source_url, target_url, "--json"});
  EXPECT_EQ(r.exit_code, expected_exit) << r.out << r.err;
  auto j = nlohmann::json::parse(r.out, nullptr, false);
  return j.is_discarded() ? nlohmann::json::object() : j;
}

TEST(CheckTarget, PreinstalledExtensionsAreNotUserObjects) {
  rig::ScratchDatabase src(rig::Server::kSource, "chkt_src");
  rig::ScratchDatabase tgt(rig::Server::kTarget, "chkt_tgt");
  psql(src.url(),
       "CREATE EXTENSION tablefunc; CREATE EXTENSION postgis; "
       "CREATE TABLE t (id int PRIMARY KEY, g geometry)");
  psql(tgt.admin_url(),
       "CREATE EXTENSION tablefunc; CREATE EXTENSION postgis; "
       "CREATE EXTENSION pgcrypto");
  auto j = check(src.url(), tgt.url(), 0);
  EXPECT_EQ(finding(j, "target-not-empty"), nullptr) << j.dump(2);
  EXPECT_EQ(j["blockers"], 0) << j.dump(2);

  psql(tgt.url(), "CREATE TABLE mine (id int)");
  auto k = check(src.url(), tgt.url(), 8);
  const auto* f = finding(k, "target-not-empty");
  ASSERT_NE(f, nullptr) << k.dump(2);
  EXPECT_NE((*f)["message"].get<std::string>().find("1 user object(s): relation public.mine"),
            std::string::npos)
      << k.dump(2);
  EXPECT_EQ((*f)["message"].get<std::string>().find("spatial_ref_sys"), std::string::npos);
}

TEST(CheckTarget, PreinstalledOlderExtensionVersionNamesTheUpdate) {
  rig::ScratchDatabase src(rig::Server::kSource, "chkv_src");
  rig::ScratchDatabase tgt(rig::Server::kTarget, "chkv_tgt");
  psql(src.url(), "CREATE EXTENSION hstore VERSION '1.8'");
  psql(tgt.admin_url(), "CREATE EXTENSION hstore VERSION '1.4'");
  auto j = check(src.url(), tgt.url(), 12);
  const auto* f = finding(j, "extension-version");
  ASSERT_NE(f, nullptr) << j.dump(2);
  EXPECT_EQ((*f)["severity"], "warning");
  EXPECT_NE((*f)["message"].get<std::string>().find("ALTER EXTENSION hstore UPDATE TO '1.8'"),
            std::string::npos)
      << j.dump(2);
}

}  // namespace
}  // namespace pgshuttle
