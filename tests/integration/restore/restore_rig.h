// Shared setup of the restore integration tests: dumping a rig source
// database, comparing a source and a target the way the issue asks (sorted
// schema-only dumps without owners/ACLs, and a checksum of every table's
// rows), and the rig's S3 server.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "rig/rig.h"

namespace pgshuttle::restore::testing {

// Values print the same on both rig clusters (their defaults differ).
inline const char* kStableSession =
    "SET TimeZone = 'UTC'; SET DateStyle = 'ISO, MDY'; SET IntervalStyle = 'postgres'; "
    "SET extra_float_digits = 3; ";

inline std::map<std::string, std::string> stable_env() {
  return {{"PGTZ", "UTC"}, {"PGOPTIONS", "-c extra_float_digits=3 -c DateStyle=ISO,MDY"}};
}

inline std::string temp_path(const std::string& name) {
  return "/tmp/" + rig::unique_name("restore") + "_" + name;
}

// pg_dump `url` with `format_flag` ("-Fc", "-Ft", "-Fp") into a new temp file.
inline std::string dump(const std::string& url, const std::string& format_flag,
                        const std::string& suffix = ".dump") {
  std::string path = temp_path("archive" + suffix);
  auto r = rig::run_program({"pg_dump", format_flag, "-f", path, "-d", url});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return path;
}

// The schema as `pg_dump --schema-only --no-owner --no-acl`, comments,
// blank lines and \restrict lines removed, sorted.
inline std::vector<std::string> schema_lines(const std::string& url) {
  auto r = rig::run_program({"pg_dump", "--schema-only", "--no-owner", "--no-acl", "-d", url},
                            stable_env());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < r.out.size()) {
    size_t nl = r.out.find('\n', start);
    if (nl == std::string::npos) nl = r.out.size();
    std::string line = r.out.substr(start, nl - start);
    start = nl + 1;
    if (line.empty() || line.rfind("--", 0) == 0 || line.rfind("\\restrict", 0) == 0 ||
        line.rfind("\\unrestrict", 0) == 0) {
      continue;
    }
    lines.push_back(line);
  }
  std::sort(lines.begin(), lines.end());
  return lines;
}

// "schema.table md5-of-sorted-rows" per user table.
inline std::map<std::string, std::string> table_checksums(const std::string& url) {
  std::string tables =
      rig::psql(url,
                "SELECT format('%I.%I', schemaname, tablename) FROM pg_tables "
                "WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1");
  std::map<std::string, std::string> out;
  size_t start = 0;
  while (start < tables.size()) {
    size_t nl = tables.find('\n', start);
    if (nl == std::string::npos) nl = tables.size();
    std::string t = tables.substr(start, nl - start);
    start = nl + 1;
    out[t] = rig::psql(url, std::string(kStableSession) +
                                "SELECT count(*) || ' ' || coalesce(md5(string_agg(r::text, "
                                "E'\\n' ORDER BY r::text)), '') FROM " +
                                t + " r");
  }
  std::string lo =
      rig::psql(url,
                "SELECT count(*) || ' ' || coalesce(md5(string_agg(loid || ':' || pageno || ':' || "
                "md5(data), ',' ORDER BY loid, pageno)), '') FROM pg_largeobject");
  out["(large objects)"] = lo;
  return out;
}

// Both URLs need to read pg_largeobject (superuser URLs).
// Expects the target to hold the same schema and rows as the source.
inline void expect_same(const std::string& source_url, const std::string& target_url) {
  EXPECT_EQ(schema_lines(source_url), schema_lines(target_url));
  auto src = table_checksums(source_url);
  EXPECT_GT(src.size(), 1u);
  EXPECT_EQ(src, table_checksums(target_url));
}

inline std::map<std::string, std::string> s3_env() {
  std::map<std::string, std::string> env;
  for (const char* k : {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION"}) {
    env[k] = rig::env(k);
  }
  env["AWS_ENDPOINT_URL_S3"] = rig::env("S3_ENDPOINT");
  return env;
}

// A new bucket with `file` uploaded as `key`; returns "s3://bucket/key".
inline std::string upload(const std::string& file, const std::string& key) {
  std::string bucket = rig::unique_name("rs");
  for (auto& c : bucket) c = c == '_' ? '-' : c;
  auto mb = rig::run_pgshuttle({"storage", "mb", "s3://" + bucket}, s3_env());
  EXPECT_EQ(mb.exit_code, 0) << mb.err;
  std::string url = "s3://" + bucket + "/" + key;
  auto cp = rig::run_pgshuttle({"storage", "cp", file, url, "--sse", "none"}, s3_env());
  EXPECT_EQ(cp.exit_code, 0) << cp.err;
  return url;
}

inline std::string presign(const std::string& s3_url, const std::string& expires = "10m") {
  auto r = rig::run_pgshuttle({"url", s3_url, "--expires", expires}, s3_env());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  while (!r.out.empty() && r.out.back() == '\n') r.out.pop_back();
  return r.out;
}

// The transfer registry of this test process (restores are recorded as rNNN).
inline const std::string& state_dir() {
  static const std::string dir = temp_path("state");
  return dir;
}

inline std::map<std::string, std::string> tool_env() {
  auto env = s3_env();
  env["PGSHUTTLE_STATE_DIR"] = state_dir();
  return env;
}

inline rig::CommandResult restore(const std::string& source, const std::string& target_url,
                                  std::vector<std::string> extra = {},
                                  const std::map<std::string, std::string>& more_env = {}) {
  std::vector<std::string> args{"restore", source, "--target", target_url};
  args.insert(args.end(), extra.begin(), extra.end());
  auto env = tool_env();
  env.insert(more_env.begin(), more_env.end());
  return rig::run_pgshuttle(args, env);
}

// An archive written to a pipe: pg_dump cannot seek back, so its TOC has no
// data offsets and restore must read it in one sequential pass.
inline std::string dump_without_offsets(const std::string& url) {
  std::string path = temp_path("stream.dump");
  auto r = rig::run_program({"sh", "-c", "pg_dump -Fc -d \"$0\" | cat > \"$1\"", url, path});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return path;
}

// Number of user objects (relations, functions, non-public schemas) in the target.
inline int user_object_count(const std::string& url) {
  return std::stoi(rig::psql(
      url,
      "SELECT (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
      "WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE "
      "'pg_toast%') + (SELECT count(*) FROM pg_namespace WHERE nspname NOT IN ('pg_catalog', "
      "'information_schema', 'public') AND nspname NOT LIKE 'pg_toast%' AND nspname NOT LIKE "
      "'pg_temp%')"));
}

}  // namespace pgshuttle::restore::testing
