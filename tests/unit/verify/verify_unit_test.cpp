// Pure parts of verify: query file parsing, schema diffing rules, the SQL
// built for key ranges, and report escaping.
#include <gtest/gtest.h>

#include "verify/query_compare.h"
#include "verify/report.h"
#include "verify/schema_compare.h"
#include "verify/table_plan.h"
#include "verify/verify.h"

namespace pgshuttle::verify {
namespace {

TEST(SplitQueries, SemicolonAtLineEndOrBlankLineEndsAQuery) {
  auto q = split_queries("-- comment\nSELECT 1;\nSELECT 2\nFROM t\n\n\nSELECT ';' AS x;\nSELECT 4");
  ASSERT_EQ(q.size(), 4u);
  EXPECT_EQ(q[0], "SELECT 1");
  EXPECT_EQ(q[1], "SELECT 2\nFROM t");
  EXPECT_EQ(q[2], "SELECT ';' AS x");
  EXPECT_EQ(q[3], "SELECT 4");
  EXPECT_TRUE(split_queries("\n-- only\n\n").empty());
}

TEST(OuterOrderBy, IgnoresParenthesesQuotesAndComments) {
  EXPECT_TRUE(has_outer_order_by("SELECT a FROM t ORDER BY a"));
  EXPECT_TRUE(has_outer_order_by("select a from t order\n  by 1 limit 3"));
  EXPECT_FALSE(has_outer_order_by("SELECT string_agg(a, ',' ORDER BY a) FROM t"));
  EXPECT_FALSE(has_outer_order_by("SELECT row_number() OVER (ORDER BY a) FROM t"));
  EXPECT_FALSE(has_outer_order_by("SELECT 'order by' FROM t -- order by a"));
  EXPECT_FALSE(has_outer_order_by("SELECT \"order\" by_x FROM t"));
  EXPECT_TRUE(has_outer_order_by("SELECT * FROM (SELECT 1) s ORDER BY 1"));
}

std::set<std::string> lines(const std::vector<Difference>& diffs) {
  std::set<std::string> out;
  for (const auto& d : diffs) {
    out.insert(std::string(d.severity == Severity::kWarning ? "W " : "D ") + d.kind + "|" +
               d.object + "|" + d.property + "|" + d.problem);
  }
  return out;
}

TEST(DiffCatalogs, ByNameWithOwnersIgnoredUnlessAsked) {
  CatalogSnapshot s, t;
  s[{"table", "a.t"}] = {{"owner", "postgres"}, {"relkind", "r"}};
  t[{"table", "a.t"}] = {{"owner", "app"}, {"relkind", "p"}};
  s[{"index", "a.i"}] = {{"definition", "CREATE INDEX ..."}};
  t[{"view", "a.v"}] = {{"definition", std::nullopt}};
  VerifyOptions o;
  EXPECT_EQ(lines(diff_catalogs(s, t, o)),
            (std::set<std::string>{"D table|a.t|relkind|changed", "D index|a.i||missing on target",
                                   "D view|a.v||extra on target"}));
  o.compare_owners = true;
  EXPECT_EQ(lines(diff_catalogs(s, t, o)).count("D table|a.t|owner|changed"), 1u);
}

TEST(DiffCatalogs, MissingTableHidesItsColumnsAndExtensionVersionIsAWarning) {
  CatalogSnapshot s, t;
  s[{"table", "a.t"}] = {{"relkind", "r"}};
  s[{"column", "a.t.c"}] = {{"type", "integer"}};
  s[{"constraint", "a.t.k"}] = {{"type", "p"}};
  s[{"column", "a.u.c"}] = {{"type", "integer"}};
  s[{"extension", "hstore"}] = {{"version", "1.8"}};
  t[{"extension", "hstore"}] = {{"version", "1.7"}};
  s[{"extension", "citext"}] = {{"version", "1.6"}};
  s[{"sequence", "a.s"}] = {{"last value", "5"}};
  t[{"sequence", "a.s"}] = {{"last value", std::nullopt}};
  auto got = diff_catalogs(s, t, VerifyOptions{});
  EXPECT_EQ(lines(got),
            (std::set<std::string>{
                "D table|a.t||missing on target", "D column|a.u.c||missing on target",
                "W extension|hstore|version|changed", "D extension|citext||missing on target",
                "D sequence|a.s|last value|changed"}));
  for (const auto& d : got) {
    if (d.kind == "sequence") {
      EXPECT_EQ(d.target_value, "(null)");
    }
  }
}

// search_path changes what the application's queries find: a difference;
// tuning a bigger target may change, and a value one side may not see, not.
TEST(SchemaDiff, DatabaseSettingsAndInvisibleValues) {
  CatalogSnapshot s, t;
  s[{"database setting", "search_path"}] = {{"value", "app, public"}};
  s[{"database tuning setting", "work_mem"}] = {{"value", "32MB"}};
  t[{"database tuning setting", "work_mem"}] = {{"value", "64MB"}};
  s[{"user mapping", "public SERVER x"}] = {{"options", "user=a"}};
  t[{"user mapping", "public SERVER x"}] = {{"options", "(not visible)"}};
  s[{"default privileges", "for role p on tables"}] = {{"privileges", "{=r/p}"}};
  EXPECT_EQ(
      lines(diff_catalogs(s, t, VerifyOptions{})),
      (std::set<std::string>{"D database setting|search_path||missing on target",
                             "W database tuning setting|work_mem|value|changed",
                             "W default privileges|for role p on tables||missing on target"}));
  // One value in two spellings is no difference; a default only the target
  // has (migrate's settings step, a provider's) is a warning.
  CatalogSnapshot s2, t2;
  s2[{"database setting", "statement_timeout"}] = {{"value", "15min"}};
  t2[{"database setting", "statement_timeout"}] = {{"value", "900000ms"}};
  t2[{"database setting", "TimeZone"}] = {{"value", "UTC"}};
  s2[{"database setting", "lock_timeout"}] = {{"value", "1s"}};
  t2[{"database setting", "lock_timeout"}] = {{"value", "2s"}};
  EXPECT_EQ(lines(diff_catalogs(s2, t2, VerifyOptions{})),
            (std::set<std::string>{"W database setting|TimeZone||extra on target",
                                   "D database setting|lock_timeout|value|changed"}));
  // Default privileges name roles: a difference only when ACLs are compared.
  VerifyOptions acls;
  acls.compare_acls = true;
  EXPECT_TRUE(lines(diff_catalogs(s, t, acls))
                  .count("D default privileges|for role p on tables||missing on target"));
}

TablePlan plan_with_key(std::vector<KeyColumn> key) {
  TablePlan p;
  p.table.schema = "s";
  p.table.name = "T";
  p.table.ident = "s.\"T\"";
  p.table.key = std::move(key);
  p.columns = {{"a", "a"}, {"b c", "\"b c\""}};
  return p;
}

TEST(TablePlanSql, RangesUseCollateCOnTextKeysAndNumberParameters) {
  auto p = plan_with_key({{"id", "id", "integer", false}, {"name", "name", "text", true}});
  KeyRange r{KeyValue{"1", "x"}, KeyValue{"9", "y"}};
  EXPECT_EQ(range_predicate(p, r),
            "ROW(id, name COLLATE \"C\") >= ROW($1::integer, $2::text) AND "
            "ROW(id, name COLLATE \"C\") < ROW($3::integer, $4::text)");
  EXPECT_EQ(range_params(r).size(), 4u);
  EXPECT_EQ(range_predicate(p, KeyRange{}), "true");
  EXPECT_NE(key_at_offset_sql(p, r).find("OFFSET $5"), std::string::npos);
  EXPECT_NE(checksum_sql(p, KeyRange{}).find("ROW(a, \"b c\")::text AS rt"), std::string::npos);
  EXPECT_NE(checksum_sql(p, KeyRange{}).find("md5(rt)"), std::string::npos);
  p.hash = RowHash::kHashExtended128;
  EXPECT_NE(checksum_sql(p, KeyRange{}).find("hashtextextended(rt COLLATE \"C\", 1)"),
            std::string::npos);
  EXPECT_EQ(checksum_sql(p, KeyRange{}).find("md5"), std::string::npos);
  // 64 bits: one hash per row, in the checksum and in the row-by-row listing.
  p.hash = RowHash::kHashExtended64;
  EXPECT_NE(checksum_sql(p, KeyRange{}).find("hashtextextended(rt COLLATE \"C\", 0)"),
            std::string::npos);
  EXPECT_EQ(checksum_sql(p, KeyRange{}).find(", 1)"), std::string::npos);
  EXPECT_EQ(rows_sql(p, KeyRange{}).find(", 1)"), std::string::npos);
  EXPECT_EQ(checksum_sql(p, KeyRange{}).find("md5"), std::string::npos);
  EXPECT_NE(checksum_sql(p, KeyRange{}).find("FROM ONLY s.\"T\""), std::string::npos);
  auto single = plan_with_key({{"id", "id", "bigint", false}});
  EXPECT_EQ(range_predicate(single, KeyRange{std::nullopt, KeyValue{"5"}}), "id < $1::bigint");
  EXPECT_EQ(describe_key(p.table.key, {"1", "x"}), "id=1, name=x");
}

// The SQL text uses the names exactly as the server quoted them: a keyword
// column such as "user" must never reach the query bare (it would read
// CURRENT_USER instead of the column).
TEST(TablePlanSql, UsesServerQuotedNames) {
  TablePlan p;
  p.table.schema = "public";
  p.table.name = "user";
  p.table.ident = "public.\"user\"";
  p.table.key = {{"order", "\"order\"", "integer", false}};
  p.columns = {{"order", "\"order\""}, {"user", "\"user\""}};
  p.hash = RowHash::kHashExtended64;
  KeyRange r{KeyValue{"1"}, std::nullopt};
  EXPECT_EQ(range_predicate(p, r), "\"order\" >= $1::integer");
  EXPECT_NE(checksum_sql(p, r).find("ROW(\"order\", \"user\")::text"), std::string::npos);
  EXPECT_NE(checksum_sql(p, r).find("FROM ONLY public.\"user\""), std::string::npos);
  EXPECT_NE(rows_sql(p, r).find("\"user\"::text"), std::string::npos);
  EXPECT_EQ(describe_key(p.table.key, {"7"}), "order=7");
}

TEST(Report, EscapesMarkupAndCountsSeverities) {
  EXPECT_EQ(xml_escape("<a href=\"x\">&'"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
  VerifyReport r;
  r.differences.push_back({Severity::kWarning, "extension", "x", "version", "changed", "1", "2"});
  EXPECT_TRUE(r.passed());
  EXPECT_TRUE(report_status(r).ok());
  r.differences.push_back({Severity::kDifference, "index", "<i>", "", "missing on target", "", ""});
  EXPECT_FALSE(r.passed());
  EXPECT_EQ(report_status(r).error().code, ErrorCode::kVerifyFailed);
  EXPECT_EQ(r.warning_count(), 1);
  EXPECT_NE(to_html(r).find("&lt;i&gt;"), std::string::npos);
  EXPECT_EQ(to_html(r).find("<i>"), std::string::npos);
  EXPECT_NE(to_junit(r).find("failures=\"1\""), std::string::npos);
  EXPECT_EQ(to_json(r)["difference_count"], 1);
}

}  // namespace
}  // namespace pgshuttle::verify

namespace pgshuttle::verify {
namespace {

// Chunks only as small as balancing --jobs needs, never under a million rows.
TEST(AutoChunkRows, BalancesJobsWithAMillionRowFloor) {
  EXPECT_EQ(auto_chunk_rows(0, 2), 1'000'000);
  EXPECT_EQ(auto_chunk_rows(3'950'000, 2), 1'000'000);
  EXPECT_EQ(auto_chunk_rows(15'800'000, 2), 3'950'000);
  EXPECT_EQ(auto_chunk_rows(15'800'001, 2), 3'950'001);
  EXPECT_EQ(auto_chunk_rows(80'000'000, 8), 5'000'000);
  EXPECT_EQ(auto_chunk_rows(80'000'000, 0), 40'000'000);  // jobs < 1 counts as 1
}

}  // namespace
}  // namespace pgshuttle::verify
