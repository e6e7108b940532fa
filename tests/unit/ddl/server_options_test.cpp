// drop_server_managed_options: a server build's own column version
// ('pg_attver=N') never reaches another server; user options stay.
#include <gtest/gtest.h>

#include "ddl/ddl_script.h"

namespace pgshuttle::ddl {
namespace {

TEST(ServerManagedOptions, AloneTheStatementGoes) {
  std::string in =
      "CREATE TABLE a.t (\n    id integer\n);\n"
      "ALTER TABLE ONLY a.t ALTER COLUMN id SET (pg_attver=27105144);\n"
      "CREATE INDEX t_id ON a.t USING btree (id);\n";
  EXPECT_EQ(drop_server_managed_options(in),
            "CREATE TABLE a.t (\n    id integer\n);\nCREATE INDEX t_id ON a.t USING btree (id);\n");
}

TEST(ServerManagedOptions, AmongUserOptionsOnlyItGoes) {
  EXPECT_EQ(drop_server_managed_options(
                "ALTER TABLE ONLY a.t ALTER COLUMN id SET (n_distinct=5, pg_attver=1);"),
            "ALTER TABLE ONLY a.t ALTER COLUMN id SET (n_distinct=5);");
  EXPECT_EQ(drop_server_managed_options(
                "ALTER TABLE ONLY a.t ALTER COLUMN id SET (pg_attver=1, n_distinct=5);"),
            "ALTER TABLE ONLY a.t ALTER COLUMN id SET (n_distinct=5);");
  EXPECT_EQ(drop_server_managed_options("ALTER TABLE ONLY a.t ALTER COLUMN id SET "
                                        "(n_distinct=5, pg_attver=1, n_distinct_inherited=2);"),
            "ALTER TABLE ONLY a.t ALTER COLUMN id SET (n_distinct=5, n_distinct_inherited=2);");
}

TEST(ServerManagedOptions, OtherTextIsUntouched) {
  std::string in = "COMMENT ON TABLE a.t IS 'pg_attver=1 is not an option here';\n";
  EXPECT_EQ(drop_server_managed_options(in), in);
  EXPECT_EQ(drop_server_managed_options("SELECT 1;"), "SELECT 1;");
  std::string check =
      "ALTER TABLE ONLY a.t ADD CONSTRAINT c CHECK ((x <> 'SET (pg_attver=1)'::text));";
  EXPECT_EQ(drop_server_managed_options(check), check);
}

}  // namespace
}  // namespace pgshuttle::ddl
