// Every verify run is a transfer in the registry (v001 ...): Completed (or
// Finished with warnings) when the databases match, Failed with the count
// of differences when they do not.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "rig/rig.h"

namespace pgshuttle {
namespace {

using rig::psql;

nlohmann::json info(const std::string& dir, const std::string& id) {
  auto r = rig::run_pgshuttle({"--state-dir", dir, "info", id, "--json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out, nullptr, false);
  return j.is_discarded() ? nlohmann::json::object() : j;
}

TEST(VerifyRegistry, EachRunIsRecordedWithItsOutcome) {
  rig::ScratchDatabase source(rig::Server::kSource, "verify_reg_src");
  rig::ScratchDatabase target(rig::Server::kTarget, "verify_reg_tgt");
  const char* schema =
      "CREATE TABLE t (id int PRIMARY KEY, v text);"
      "INSERT INTO t SELECT g, md5(g::text) FROM generate_series(1, 500) g;";
  psql(source.url(), schema);
  psql(target.url(), schema);
  std::string dir = "/tmp/" + rig::unique_name("verify_state");

  auto same =
      rig::run_pgshuttle({"--state-dir", dir, "verify", source.url(), target.url(), "--json"});
  ASSERT_EQ(same.exit_code, 0) << same.err;
  auto report = nlohmann::json::parse(same.out, nullptr, false);
  ASSERT_FALSE(report.is_discarded()) << same.out;
  EXPECT_EQ(report["id"], "v001");
  auto first = info(dir, "v001");
  std::string status = first.value("status", "");
  EXPECT_TRUE(status == "Completed" || status.rfind("Finished with", 0) == 0) << first.dump();
  EXPECT_EQ(first.value("source", "").find("srcpass"), std::string::npos) << first.dump();

  psql(target.url(), "UPDATE t SET v = 'changed' WHERE id = 42");
  auto differ = rig::run_pgshuttle({"--state-dir", dir, "verify", source.url(), target.url()});
  EXPECT_EQ(differ.exit_code, 6) << differ.err;
  EXPECT_NE(differ.out.find("recorded as v002"), std::string::npos) << differ.out;
  auto second = info(dir, "v002");
  EXPECT_EQ(second.value("status", ""), "Failed") << second.dump();
  EXPECT_NE(second.value("error", "").find("differences"), std::string::npos) << second.dump();
}

}  // namespace
}  // namespace pgshuttle
