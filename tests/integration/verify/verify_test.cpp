// pgshuttle verify against the rig: the source and target clusters have
// different TimeZone, DateStyle, IntervalStyle and extra_float_digits
// defaults, so identical databases must still pass; and each single change
// made on the target copy must fail with exactly the differences it causes.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "rig/rig.h"

namespace pgshuttle {
namespace {

using rig::psql;

// A source and a target database loaded with the same fixture; the target
// one is loaded (and so owned) by the application role.
struct DatabasePair {
  rig::ScratchDatabase source{rig::Server::kSource, "verify_src"};
  rig::ScratchDatabase target{rig::Server::kTarget, "verify_tgt"};
  DatabasePair() {
    rig::load_fixture(source.url());
    rig::load_fixture(target.url());
  }
};

struct Run {
  int exit_code;
  nlohmann::json report;
  std::string err;
};

Run verify(const DatabasePair& db, std::vector<std::string> extra = {}) {
  std::vector<std::string> args{"verify", db.source.url(), db.target.url(), "--json"};
  args.insert(args.end(), extra.begin(), extra.end());
  auto r = rig::run_pgshuttle(args);
  Run run{r.exit_code, nlohmann::json::parse(r.out, nullptr, false), r.err};
  EXPECT_FALSE(run.report.is_discarded()) << r.out << r.err;
  return run;
}

// Differences (not warnings) as "kind|object|property|problem".
std::set<std::string> differences(const nlohmann::json& report) {
  std::set<std::string> out;
  for (const auto& d : report["differences"]) {
    if (d["severity"] != "difference") continue;
    out.insert(d["kind"].get<std::string>() + "|" + d["object"].get<std::string>() + "|" +
               d["property"].get<std::string>() + "|" + d["problem"].get<std::string>());
  }
  return out;
}

void expect_exactly(const DatabasePair& db, const std::set<std::string>& expected,
                    std::vector<std::string> extra = {}) {
  auto run = verify(db, std::move(extra));
  EXPECT_EQ(run.exit_code, 6) << run.err;
  EXPECT_EQ(run.report["passed"], false);
  EXPECT_EQ(differences(run.report), expected);
}

TEST(Verify, IdenticalFixturePassesDespiteDifferentServerDefaults) {
  DatabasePair db;
  // The premise: the two servers print values differently by default.
  for (const char* setting : {"TimeZone", "DateStyle", "extra_float_digits"}) {
    EXPECT_NE(psql(db.source.url(), std::string("SHOW ") + setting),
              psql(db.target.url(), std::string("SHOW ") + setting));
  }
  for (const auto& args :
       std::vector<std::vector<std::string>>{{},
                                             {"--jobs", "1"},
                                             {"--chunk-rows", "300", "--jobs", "3"},
                                             {"--md5"},
                                             {"--hash-bits", "128"}}) {
    auto run = verify(db, args);
    EXPECT_EQ(run.exit_code, 0) << run.err << run.report.dump(2);
    bool md5 = std::find(args.begin(), args.end(), "--md5") != args.end();
    bool wide = std::find(args.begin(), args.end(), "128") != args.end();
    EXPECT_EQ(run.report["row_hash"], md5    ? "md5 (128 bits)"
                                      : wide ? "hashtextextended, seeds 0 and 1 (128 bits)"
                                             : "hashtextextended, seed 0 (64 bits)");
    EXPECT_EQ(run.report["passed"], true);
    EXPECT_EQ(run.report["difference_count"], 0) << run.report["differences"].dump(2);
    // The servers' own defaults differ: reported, as warnings only.
    bool timezone_warning = false;
    for (const auto& d : run.report["differences"]) {
      EXPECT_EQ(d["severity"], "warning");
      EXPECT_EQ(d["kind"], "setting") << d.dump();
      if (d["object"] == "TimeZone") timezone_warning = true;
    }
    EXPECT_TRUE(timezone_warning) << run.report["differences"].dump(2);
  }
  auto run = verify(db, {"--chunk-rows", "300"});
  std::string tables =
      psql(db.source.url(),
           "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
           "WHERE c.relkind IN ('r','m') AND n.nspname IN ('shop','audit','inventory')");
  EXPECT_EQ(run.report["tables"].size(), std::stoul(tables));
  for (const auto& t : run.report["tables"]) {
    std::string name = t["schema"].get<std::string>() + "." + t["name"].get<std::string>();
    EXPECT_EQ(t["status"], "match") << name;
    EXPECT_EQ(t["source_rows"].get<int64_t>(),
              std::stoll(psql(db.source.url(), "SELECT count(*) FROM ONLY " + name)));
    if (name == "shop.order_lines") {
      EXPECT_GT(t["chunks"].get<int>(), 1);
    }
  }
}

TEST(Verify, IdenticalNorthwindPasses) {
  rig::ScratchDatabase source(rig::Server::kSource, "verify_nw_src");
  rig::ScratchDatabase target(rig::Server::kTarget, "verify_nw_tgt");
  rig::load_sample(source.url(), "northwind");
  rig::load_sample(target.url(), "northwind");
  auto r = rig::run_pgshuttle({"verify", source.url(), target.url()});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("PASSED"), std::string::npos) << r.out;
}

// Another session's temporary table on the source (an application's work
// table, pg_temp_N) is no part of the database: verify must not compare it,
// count it or try to read it (which the server refuses).
TEST(Verify, AnotherSessionsTemporaryTableIsNoDifference) {
  rig::ScratchDatabase source(rig::Server::kSource, "verify_tmp_src");
  rig::ScratchDatabase target(rig::Server::kTarget, "verify_tmp_tgt");
  rig::load_sample(source.url(), "northwind");
  rig::load_sample(target.url(), "northwind");
  std::thread holder([&] {
    // Each -c commits on its own: the table is visible while the session sleeps.
    rig::run_program({"psql", "-X", "-q", "-d", source.admin_url(), "-c",
                      "CREATE TEMP TABLE work_items (id int PRIMARY KEY, note text)", "-c",
                      "CREATE INDEX ON work_items (note)", "-c",
                      "INSERT INTO work_items SELECT g, 'n' || g FROM generate_series(1, 50) g",
                      "-c", "SELECT pg_sleep(60)"});
  });
  std::string seen;
  for (int i = 0; i < 100 && seen != "1"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    seen =
        psql(source.admin_url(),
             "SELECT count(*) FROM pg_class WHERE relname = 'work_items' AND relpersistence = 't'");
  }
  EXPECT_EQ(seen, "1");
  auto r = rig::run_pgshuttle({"verify", source.url(), target.url()});
  psql(source.admin_url(),
       "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(60)%' "
       "AND pid <> pg_backend_pid()");
  holder.join();
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("PASSED"), std::string::npos) << r.out;
  EXPECT_EQ((r.out + r.err).find("work_items"), std::string::npos) << r.out << r.err;
}

TEST(Verify, OneChangedValueInEachColumnTypeIsNamed) {
  DatabasePair db;
  const std::vector<std::pair<std::string, std::string>> changes = {
      {"j", "'{\"x\": 1}'"},
      {"jb", "'{\"x\": 1}'"},
      {"int_arr", "'{9,9}'"},
      {"txt_arr", "'{zz}'"},
      {"kv", "'a=>b'"},
      {"ci", "'changed'"},
      {"u", "'00000000-0000-0000-0000-000000000001'"},
      {"ip", "'10.9.9.9'"},
      {"net", "'10.9.0.0/16'"},
      {"mac", "'09:09:09:09:09:09'"},
      {"num", "12345.678"},
      {"f8", "0.30000000000000004"},
      {"f4", "1.2345679"},
      {"ts", "'2001-02-03 04:05:06.789'"},
      {"tstz", "'2001-02-03 04:05:06.789+00'"},
      {"d", "'2001-02-03'"},
      {"t", "'04:05:06.789'"},
      {"iv", "'1 year 2 days 00:00:00.5'"},
      {"ba", "'\\xdeadbeef'"},
      {"b8", "B'10101010'"},
      {"vb", "B'1'"},
      {"tsv", "'changed:1'"},
      {"x", "'<changed/>'"},
      {"fr", "'[1,2)'"},
      {"weird", "E'tab\\there \"q\" \\\\'"},
      {"flag", "NOT coalesce(flag, true)"}};
  std::set<std::string> expected{"table data|shop.all_types||content differs"};
  std::string sql;
  for (size_t i = 0; i < changes.size(); ++i) {
    int id = static_cast<int>(i) + 1;
    sql += "UPDATE shop.all_types SET " + changes[i].first + " = " + changes[i].second +
           " WHERE id = " + std::to_string(id) + ";\n";
    expected.insert("row|shop.all_types id=" + std::to_string(id) + "|" + changes[i].first +
                    "|changed");
  }
  psql(db.target.admin_url(), sql);
  expect_exactly(db, expected, {"--data-only"});
}

TEST(Verify, DeletedAndExtraRowsAreNamedByKey) {
  DatabasePair db;
  psql(db.target.admin_url(),
       "DELETE FROM shop.order_lines WHERE order_id = 7 AND line_no = 1;"
       "INSERT INTO shop.sessions (token, customer) VALUES ('zz-extra', 1)");
  std::set<std::string> expected{"table data|shop.order_lines||content differs",
                                 "row|shop.order_lines order_id=7, line_no=1||missing on target",
                                 "table data|shop.sessions||content differs",
                                 "row|shop.sessions token=zz-extra||extra on target"};
  expect_exactly(db, expected, {"--data-only"});
  // Chunked and bisected: the same rows are found in small key ranges.
  expect_exactly(db, expected, {"--data-only", "--chunk-rows", "400", "--bisect-rows", "20"});
  expect_exactly(db, expected, {"--data-only", "--md5", "--chunk-rows", "400"});
  expect_exactly(db, expected, {"--data-only", "--hash-bits", "128", "--chunk-rows", "400"});
}

TEST(Verify, DuplicatedRowInKeylessTableIsCaught) {
  DatabasePair db;
  std::string row = psql(db.source.url(),
                         "SELECT ROW(seen_at, source, value)::text FROM audit.raw_events "
                         "WHERE value = 5 ORDER BY seen_at LIMIT 1");
  psql(db.target.admin_url(),
       "INSERT INTO audit.raw_events SELECT * FROM audit.raw_events WHERE value = 5 "
       "ORDER BY seen_at LIMIT 1");
  auto run = verify(db, {"--data-only"});
  EXPECT_EQ(run.exit_code, 6);
  EXPECT_EQ(differences(run.report),
            (std::set<std::string>{"table data|audit.raw_events||content differs",
                                   "row|audit.raw_events||extra row on target"}));
  for (const auto& d : run.report["differences"]) {
    if (d["kind"] == "row") {
      EXPECT_EQ(d["target"], row);
    }
  }
}

struct SchemaCase {
  std::string name;
  std::string target_sql;
  std::string both_sql;  // run on both sides first
  std::set<std::string> expected;
};

void PrintTo(const SchemaCase& c, std::ostream* os) { *os << c.name; }

class VerifySchema : public testing::TestWithParam<SchemaCase> {};

TEST_P(VerifySchema, ChangeIsNamedPrecisely) {
  const SchemaCase& c = GetParam();
  DatabasePair db;
  if (!c.both_sql.empty()) {
    psql(db.source.admin_url(), c.both_sql);
    psql(db.target.admin_url(), c.both_sql);
  }
  psql(db.target.admin_url(), c.target_sql);
  expect_exactly(db, c.expected);
}

INSTANTIATE_TEST_SUITE_P(
    Changes, VerifySchema,
    testing::Values(SchemaCase{"sequence_value",
                               "SELECT setval('shop.invoice_seq', 99999)",
                               "",
                               {"sequence|shop.invoice_seq|last value|changed"}},
                    SchemaCase{"dropped_index",
                               "DROP INDEX shop.orders_customer_idx",
                               "",
                               {"index|shop.orders_customer_idx||missing on target"}},
                    SchemaCase{"dropped_constraint",
                               "ALTER TABLE shop.orders DROP CONSTRAINT orders_quantity_check",
                               "",
                               {"constraint|shop.orders.orders_quantity_check||missing on target"}},
                    SchemaCase{"dropped_trigger",
                               "DROP TRIGGER customers_touch ON shop.customers",
                               "",
                               {"trigger|shop.customers.customers_touch||missing on target"}},
                    SchemaCase{"dropped_view",
                               "DROP VIEW shop.customer_totals",
                               "",
                               {"view|shop.customer_totals||missing on target"}},
                    SchemaCase{"dropped_function",
                               "DROP FUNCTION shop.order_value(shop.orders)",
                               "",
                               {"function|shop.order_value(o shop.orders)||missing on target"}},
                    SchemaCase{"dropped_policy",
                               "DROP POLICY notes_owner ON shop.notes",
                               "",
                               {"policy|shop.notes.notes_owner||missing on target"}},
                    SchemaCase{"rls_disabled",
                               "ALTER TABLE shop.notes DISABLE ROW LEVEL SECURITY",
                               "",
                               {"table|shop.notes|row security|changed"}},
                    SchemaCase{
                        "changed_view_definition",
                        "CREATE OR REPLACE VIEW shop.customer_totals AS SELECT c.id, c.email, "
                        "count(o.id) AS orders, coalesce(sum(o.total), 1) AS spent FROM "
                        "shop.customers c LEFT JOIN shop.orders o ON o.customer_id = c.id "
                        "GROUP BY c.id, c.email",
                        "",
                        {"view|shop.customer_totals|definition|changed"}},
                    SchemaCase{"missing_extension",
                               "DROP EXTENSION pg_trgm",
                               "CREATE EXTENSION pg_trgm",
                               {"extension|pg_trgm||missing on target"}},
                    SchemaCase{"changed_large_object",
                               "SELECT lo_put(900001, 0, 'X')",
                               "",
                               {"large object|900001|md5|changed"}},
                    SchemaCase{"added_column",
                               "ALTER TABLE shop.orders ADD COLUMN extra integer DEFAULT 1",
                               "",
                               {"column|shop.orders.extra||extra on target"}},
                    SchemaCase{"changed_comment",
                               "COMMENT ON TABLE shop.customers IS 'changed'",
                               "",
                               {"table|shop.customers|comment|changed"}},
                    SchemaCase{"changed_column_default",
                               "ALTER TABLE shop.customers ALTER COLUMN balance SET DEFAULT 5",
                               "",
                               {"column|shop.customers.balance|default|changed"}},
                    SchemaCase{"column_nullability",
                               "ALTER TABLE shop.customers ALTER COLUMN name DROP NOT NULL",
                               "",
                               {"column|shop.customers.name|not null|changed"}}),
    [](const testing::TestParamInfo<SchemaCase>& info) { return info.param.name; });

TEST(Verify, ChangedEnumLabelOrderIsNamed) {
  // The same labels on both sides, in a different order.
  DatabasePair db;
  psql(db.source.admin_url(), "ALTER TYPE shop.order_status ADD VALUE 'returned'");
  psql(db.target.admin_url(), "ALTER TYPE shop.order_status ADD VALUE 'returned' BEFORE 'pending'");
  auto run = verify(db, {"--schema-only"});
  EXPECT_EQ(differences(run.report),
            (std::set<std::string>{"enum|shop.order_status|labels|changed"}));
  for (const auto& d : run.report["differences"]) {
    if (d["severity"] != "difference") continue;
    EXPECT_EQ(d["source"], "'pending', 'paid', 'shipped', 'cancelled', 'returned'");
    EXPECT_EQ(d["target"], "'returned', 'pending', 'paid', 'shipped', 'cancelled'");
  }
}

}  // namespace
}  // namespace pgshuttle
