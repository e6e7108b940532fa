#include "restore/restore_error.h"

#include <gtest/gtest.h>

namespace pgshuttle::restore {
namespace {

TEST(RestoreError, ParsesPgRestoreErrorsWithObjectsAndCommands) {
  const char* stderr_text =
      "pg_restore: creating TABLE \"shop.orders\"\n"
      "pg_restore: while PROCESSING TOC:\n"
      "pg_restore: from TOC entry 3760; 0 0 COMMENT - EXTENSION citext \n"
      "pg_restore: error: could not execute query: ERROR:  must be owner of extension citext\n"
      "Command was: COMMENT ON EXTENSION citext IS 'data type for case-insensitive strings';\n"
      "pg_restore: from TOC entry 220; 1259 16400 TABLE shop orders app\n"
      "pg_restore: error: could not execute query: ERROR:  type \"shop.money2\" does not exist\n"
      "LINE 3:     total shop.money2\n"
      "Command was: CREATE TABLE shop.orders (\n"
      "    id integer\n"
      ");\n"
      "pg_restore: processing data for table \"public.t\"\n"
      "pg_restore: error: could not read from input file: end of file\n"
      "pg_restore: warning: errors ignored on restore: 2\n";
  auto errors = parse_pg_restore_errors(stderr_text);
  ASSERT_EQ(errors.size(), 3u);
  EXPECT_EQ(errors[0].severity, Severity::kWarning);
  EXPECT_EQ(errors[0].object, "COMMENT - EXTENSION citext");
  EXPECT_EQ(errors[0].message, "must be owner of extension citext");
  EXPECT_EQ(errors[1].severity, Severity::kFatal);
  EXPECT_EQ(errors[1].object, "TABLE shop orders app");
  EXPECT_EQ(errors[1].command, "CREATE TABLE shop.orders (");
  EXPECT_EQ(errors[2].severity, Severity::kFatal);
  EXPECT_EQ(errors[2].object, "TABLE DATA \"public.t\"");
}

TEST(RestoreError, ParsesPsqlErrors) {
  auto errors = parse_psql_errors(
      "psql:<stdin>:40: ERROR:  role \"postgres\" does not exist\n"
      "psql:<stdin>:41: ERROR:  relation \"x\" does not exist\n"
      "psql:<stdin>:41: NOTICE:  something\n");
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0].severity, Severity::kWarning);
  EXPECT_EQ(errors[0].object, "psql:<stdin>:40");
  EXPECT_EQ(errors[1].severity, Severity::kFatal);
  EXPECT_EQ(errors[1].message, "relation \"x\" does not exist");
}

TEST(RestoreError, Classifies) {
  EXPECT_EQ(classify("must be owner of extension plpgsql", "COMMENT ON EXTENSION plpgsql IS 'x'"),
            Severity::kWarning);
  EXPECT_EQ(classify("schema \"public\" already exists", "CREATE SCHEMA public;"),
            Severity::kWarning);
  EXPECT_EQ(classify("role \"heroku_admin\" does not exist", "ALTER TABLE t OWNER TO heroku_admin"),
            Severity::kWarning);
  EXPECT_EQ(classify("role \"x\" does not exist", "CREATE POLICY p ON t TO x"), Severity::kFatal);
  EXPECT_EQ(classify("duplicate key value violates unique constraint", "COPY t"), Severity::kFatal);
}

}  // namespace
}  // namespace pgshuttle::restore
