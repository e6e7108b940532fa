// verify's report files, --query-file, owner comparison and warnings.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "rig/rig.h"

namespace pgshuttle {
namespace {

using rig::psql;

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The report with its warnings (server settings) left out.
nlohmann::json only_differences(nlohmann::json j) {
  auto all = j["differences"];
  j["differences"] = nlohmann::json::array();
  for (const auto& d : all) {
    if (d["severity"] == "difference") j["differences"].push_back(d);
  }
  return j;
}

struct Loaded {
  rig::ScratchDatabase source{rig::Server::kSource, "verify_rep_src"};
  rig::ScratchDatabase target{rig::Server::kTarget, "verify_rep_tgt"};
  Loaded() {
    rig::load_fixture(source.url());
    rig::load_fixture(target.url());
  }
};

TEST(VerifyReports, HtmlAndJunitNameEachDifference) {
  Loaded db;
  psql(db.target.admin_url(),
       "DROP INDEX shop.orders_customer_idx; UPDATE shop.orders SET note = '<b>&' WHERE id = 3");
  std::string html = "/tmp/" + rig::unique_name("verify") + ".html";
  std::string junit = "/tmp/" + rig::unique_name("verify") + ".xml";
  auto r = rig::run_pgshuttle(
      {"verify", db.source.url(), db.target.url(), "--html", html, "--junit", junit});
  EXPECT_EQ(r.exit_code, 6) << r.err;
  EXPECT_NE(r.out.find("FAILED"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("index shop.orders_customer_idx: missing on target"), std::string::npos);
  std::string page = read_file(html);
  EXPECT_EQ(page.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(page.find("Failed: 3 differences"), std::string::npos) << page;
  EXPECT_NE(page.find("shop.orders_customer_idx"), std::string::npos);
  EXPECT_NE(page.find("shop.orders id=3"), std::string::npos);
  EXPECT_NE(page.find("note=&lt;b&gt;&amp;"), std::string::npos);  // escaped, not markup
  EXPECT_EQ(page.find("<b>&"), std::string::npos);
  EXPECT_EQ(page.find("src="), std::string::npos);  // self-contained
  std::string xml = read_file(junit);
  EXPECT_NE(xml.find("<testcase classname=\"verify.data\" name=\"shop.orders\""), std::string::npos)
      << xml;
  EXPECT_NE(xml.find("<testcase classname=\"verify.data\" name=\"shop.customers\" time="),
            std::string::npos);
  EXPECT_NE(xml.find("failures=\"2\""), std::string::npos) << xml;
  EXPECT_NE(xml.find("index shop.orders_customer_idx: missing on target"), std::string::npos);
  std::remove(html.c_str());
  std::remove(junit.c_str());
}

TEST(VerifyReports, QueryFileComparesOrderedAndAsMultiset) {
  Loaded db;
  std::string file = "/tmp/" + rig::unique_name("verify") + ".sql";
  {
    std::ofstream out(file);
    out << "-- totals per status\n"
           "SELECT status, count(*) FROM shop.orders GROUP BY status ORDER BY status;\n"
           "SELECT id, placed_at FROM shop.orders WHERE id < 5\n"
           "\n"
           "SELECT id, note FROM shop.orders WHERE id IN (1, 2) ORDER BY id;\n";
  }
  auto same = rig::run_pgshuttle(
      {"verify", db.source.url(), db.target.url(), "--data-only", "--query-file", file, "--json"});
  EXPECT_EQ(same.exit_code, 0) << same.out << same.err;
  auto j = nlohmann::json::parse(same.out);
  ASSERT_EQ(j["queries"].size(), 3u);
  EXPECT_EQ(j["queries"][0]["ordered"], true);
  EXPECT_EQ(j["queries"][1]["ordered"], false);
  EXPECT_EQ(j["queries"][1]["source_rows"], 4);
  psql(db.target.admin_url(), "UPDATE shop.orders SET note = 'changed' WHERE id = 2");
  auto diff = rig::run_pgshuttle({"verify", db.source.url(), db.target.url(), "--schema-only",
                                  "--query-file", file, "--json"});
  EXPECT_EQ(diff.exit_code, 6);
  j = only_differences(nlohmann::json::parse(diff.out));
  EXPECT_EQ(j["queries"][0]["match"], true);
  EXPECT_EQ(j["queries"][2]["match"], false);
  ASSERT_EQ(j["differences"].size(), 1u) << j.dump(2);
  EXPECT_EQ(j["differences"][0]["object"], file + ":3");
  EXPECT_EQ(j["differences"][0]["problem"], "row 2 differs");
  EXPECT_EQ(j["differences"][0]["target"], "(2, changed)");

  // A query that fails on the target only is a difference, and the queries
  // after it still run in the same snapshot.
  {
    std::ofstream out(file);
    out << "SELECT 1 / (SELECT count(*) - 1 FROM shop.orders WHERE note = 'changed');\n"
           "SELECT count(*) FROM shop.orders;\n";
  }
  auto fails = rig::run_pgshuttle({"verify", db.source.url(), db.target.url(), "--schema-only",
                                   "--query-file", file, "--json"});
  EXPECT_EQ(fails.exit_code, 6) << fails.err;
  j = only_differences(nlohmann::json::parse(fails.out));
  ASSERT_EQ(j["differences"].size(), 1u) << j.dump(2);
  EXPECT_EQ(j["differences"][0]["problem"], "fails on target");
  EXPECT_NE(j["differences"][0]["target"].get<std::string>().find("division by zero"),
            std::string::npos);
  EXPECT_EQ(j["queries"][1]["match"], true);
  std::remove(file.c_str());
}

TEST(VerifyReports, OwnersOnlyWithFlagAndSettingsAsWarnings) {
  Loaded db;  // source objects belong to postgres, target ones to app
  psql(db.target.admin_url(), "ALTER DATABASE " + db.target.name() + " SET work_mem = '64MB'");
  auto plain =
      rig::run_pgshuttle({"verify", db.source.url(), db.target.url(), "--schema-only", "--json"});
  EXPECT_EQ(plain.exit_code, 0) << plain.out;
  auto j = nlohmann::json::parse(plain.out);
  int database_settings = 0;
  for (const auto& d : j["differences"]) {
    EXPECT_EQ(d["severity"], "warning");
    // Tuning (work_mem) a target may rightly change: a warning, unlike
    // search_path (mutation_test.cpp, database_search_path).
    if (d["kind"] == "database tuning setting") {
      ++database_settings;
      EXPECT_EQ(d["object"], "work_mem");
      EXPECT_EQ(d["target"], "64MB");
    }
  }
  EXPECT_EQ(database_settings, 1);
  auto owners = rig::run_pgshuttle(
      {"verify", db.source.url(), db.target.url(), "--schema-only", "--compare-owners", "--json"});
  EXPECT_EQ(owners.exit_code, 6);
  j = nlohmann::json::parse(owners.out);
  bool table_owner = false;
  for (const auto& d : j["differences"]) {
    EXPECT_EQ(d["property"], d["severity"] == "warning" ? "value" : "owner") << d.dump();
    if (d["object"] == "shop.orders" && d["property"] == "owner") {
      table_owner = d["source"] == "postgres" && d["target"] == "app";
    }
  }
  EXPECT_TRUE(table_owner) << j.dump(2);
}

}  // namespace
}  // namespace pgshuttle
