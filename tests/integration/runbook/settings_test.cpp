// settings export|diff|apply between the rig's clusters, whose configuration
// files differ (timezone, datestyle, work_mem, ...).
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>

#include "rig/rig.h"

namespace pgshuttle {
namespace {

using rig::psql;

nlohmann::json diff(const std::string& source, const std::string& target) {
  auto r = rig::run_pgshuttle({"settings", "diff", source, target, "--json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return nlohmann::json::parse(r.out);
}

std::set<std::string> names(const nlohmann::json& list) {
  std::set<std::string> out;
  for (const auto& d : list) out.insert(d["name"].get<std::string>());
  return out;
}

TEST(Settings, ApplyMakesDatabaseLevelDiffClean) {
  rig::ScratchDatabase src(rig::Server::kSource, "set_src");
  rig::ScratchDatabase tgt(rig::Server::kTarget, "set_tgt");
  psql(src.url(), "ALTER DATABASE " + src.name() + " SET statement_timeout = '5min'");
  psql(src.url(), "ALTER ROLE app_reader IN DATABASE " + src.name() + " SET work_mem = '32MB'");

  auto before = diff(src.url(), tgt.url());
  EXPECT_FALSE(before["clean"].get<bool>());
  auto differing = names(before["settings"]);
  for (const char* n : {"TimeZone", "DateStyle", "IntervalStyle", "work_mem", "statement_timeout",
                        "random_page_cost"}) {
    EXPECT_TRUE(differing.count(n)) << n;
  }
  auto host = names(before["host_specific"]);
  EXPECT_TRUE(host.count("port"));
  EXPECT_FALSE(differing.count("port"));
  EXPECT_FALSE(differing.count("application_name"));
  ASSERT_EQ(before["role_overrides"].size(), 1u);
  EXPECT_EQ(before["role_overrides"][0]["role"], "app_reader");

  auto apply = rig::run_pgshuttle({"settings", "apply", src.url(), tgt.url(), "--json"});
  ASSERT_EQ(apply.exit_code, 0) << apply.err;
  auto a = nlohmann::json::parse(apply.out);
  EXPECT_FALSE(a["applied"].empty());
  // The app role may neither set a server-wide parameter nor another role's defaults.
  auto console = names(a["needs_console"]);
  EXPECT_TRUE(console.count("max_prepared_transactions"));
  EXPECT_TRUE(console.count("work_mem"));  // app_reader's override

  auto after = diff(src.url(), tgt.url());
  std::set<std::string> left;
  for (const auto& d : after["settings"]) {
    if (d["settable_by_owner"].get<bool>()) left.insert(d["name"].get<std::string>());
  }
  EXPECT_TRUE(left.empty()) << after["settings"].dump();
  EXPECT_EQ(psql(tgt.url(), "SHOW TimeZone"), "UTC");
  EXPECT_EQ(psql(tgt.url(), "SHOW statement_timeout"), "5min");
  EXPECT_EQ(psql(tgt.url(), "SHOW DateStyle"), psql(src.url(), "SHOW DateStyle"));
}

// What `settings apply` writes is the source's own effective value: verify
// must not warn about it ("extra on target"), but must still say so when
// such a database setting holds another value than the source's sessions use.
TEST(Settings, VerifyAgreesWithWhatApplyWrote) {
  rig::ScratchDatabase src(rig::Server::kSource, "set_src");
  rig::ScratchDatabase tgt(rig::Server::kTarget, "set_tgt");
  psql(src.url(), "ALTER DATABASE " + src.name() + " SET statement_timeout = '15min'");
  auto apply = rig::run_pgshuttle({"settings", "apply", src.url(), tgt.url()});
  ASSERT_EQ(apply.exit_code, 0) << apply.err;
  auto verify = [&] {
    auto r = rig::run_pgshuttle({"verify", src.url(), tgt.url(), "--json"});
    EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 6) << r.err;
    return nlohmann::json::parse(r.out, nullptr, false);
  };
  auto settings_named = [](const nlohmann::json& report) {
    std::set<std::string> out;
    for (const auto& d : report["differences"]) {
      std::string kind = d["kind"].get<std::string>();
      if (kind.find("database") == 0 && kind.find("setting") != std::string::npos) {
        out.insert(d["object"].get<std::string>());
      }
    }
    return out;
  };
  auto clean = verify();
  ASSERT_FALSE(clean.is_discarded());
  EXPECT_TRUE(settings_named(clean).empty()) << clean["differences"].dump();
  // One value changed on the target: reported again.
  psql(tgt.url(), "ALTER DATABASE " + tgt.name() + " SET DateStyle = 'SQL, DMY'");
  auto changed = verify();
  EXPECT_EQ(settings_named(changed), std::set<std::string>{"DateStyle"})
      << changed["differences"].dump();
}

TEST(Settings, ExportWritesAllOfPgSettingsAsCsv) {
  rig::ScratchDatabase src(rig::Server::kSource, "set_csv");
  std::string file = "/tmp/" + rig::unique_name("settings") + ".csv";
  auto r = rig::run_pgshuttle({"settings", "export", src.url(), "--csv", file});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::ifstream in(file);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string csv = ss.str();
  std::remove(file.c_str());
  EXPECT_EQ(csv.substr(0, csv.find('\n')),
            psql(src.url(),
                 "SELECT string_agg(attname, ',' ORDER BY attnum) FROM pg_attribute "
                 "WHERE attrelid = 'pg_settings'::regclass AND attnum > 0"));
  int records = 0;
  std::string names = "," + psql(src.url(), "SELECT string_agg(name, ',') FROM pg_settings") + ",";
  std::istringstream lines(csv);
  std::string line;
  while (std::getline(lines, line)) {
    auto comma = line.find(',');
    if (comma != std::string::npos &&
        names.find("," + line.substr(0, comma) + ",") != std::string::npos) {
      ++records;
    }
  }
  EXPECT_EQ(records, std::stoi(psql(src.url(), "SELECT count(*) FROM pg_settings")));
  EXPECT_NE(csv.find("\nTimeZone,UTC,"), std::string::npos);
}

}  // namespace
}  // namespace pgshuttle
