#include "rig/compare.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>
#include <vector>

#include "rig/rig.h"

namespace pgshuttle::rig {

const char* const kPinnedText =
    "SET TimeZone = 'UTC'; SET DateStyle = 'ISO, MDY'; SET IntervalStyle = 'postgres';"
    "SET extra_float_digits = 3; SET bytea_output = 'hex'; SET search_path = '';";

std::string sorted_schema(const std::string& url) {
  // The clusters differ in TimeZone; pg_dump prints timestamptz literals in it.
  // Both sides are dumped by the newer server's pg_dump (the rig names it):
  // one program, so that the texts compare, and one that reads both.
  auto bindir = env().find("RIG_PG_BINDIR");
  std::string pg_dump = bindir == env().end() ? "pg_dump" : bindir->second + "/pg_dump";
  auto r =
      run_program({pg_dump, "--schema-only", "--no-owner", "--no-acl", url}, {{"PGTZ", "UTC"}});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::istringstream in(r.out);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    // Comments and pg_dump's per-run \restrict keys differ between any two dumps.
    if (line.rfind("--", 0) == 0 || line.empty() || line.rfind("\\", 0) == 0) continue;
    // A column version some server builds keep among a column's options;
    // only another major's pg_dump prints it (ddl::drop_server_managed_options).
    if (line.find(" SET (pg_attver=") != std::string::npos) continue;
    lines.push_back(line);
  }
  std::sort(lines.begin(), lines.end());
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

std::string table_checksums(const std::string& url) {
  std::string tables = psql(url,
                            "SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c "
                            "JOIN pg_namespace n ON n.oid = c.relnamespace "
                            "WHERE (c.relkind = 'r' OR (c.relkind = 'm' AND c.relispopulated)) "
                            "AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
                            "AND n.nspname NOT LIKE 'pg_toast%' ORDER BY 1");
  std::istringstream in(tables);
  std::string sql = kPinnedText;
  for (std::string t; std::getline(in, t);) {
    if (t.empty()) continue;
    sql += "SELECT $q$" + t +
           "$q$, count(*), md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) "
           "FROM ONLY " +
           t + " x;";
  }
  return psql(url, sql);
}

std::string sequence_values(const std::string& url) {
  std::string seqs = psql(url,
                          "SELECT format('%I.%I', schemaname, sequencename) "
                          "FROM pg_sequences ORDER BY 1");
  std::istringstream in(seqs);
  std::string sql = "SELECT 'none';";
  for (std::string s; std::getline(in, s);) {
    if (!s.empty()) sql += "SELECT $q$" + s + "$q$, last_value, is_called FROM " + s + ";";
  }
  return psql(url, sql);
}

std::string large_objects(const std::string& url) {
  return psql(url, "SELECT oid, md5(lo_get(oid)) FROM pg_largeobject_metadata ORDER BY oid");
}

void expect_identical(const std::string& source, const std::string& target) {
  EXPECT_EQ(sorted_schema(source), sorted_schema(target));
  EXPECT_EQ(table_checksums(source), table_checksums(target));
  EXPECT_EQ(sequence_values(source), sequence_values(target));
  EXPECT_EQ(large_objects(source), large_objects(target));
}

}  // namespace pgshuttle::rig
