// The statement an error message quotes (pg::statement_context): the one the
// server pointed at, whole up to a sane length, never a wrapper like BEGIN.
#include <gtest/gtest.h>

#include <cctype>
#include <string>

#include "pg/connection.h"

namespace pgshuttle::pg {
namespace {

TEST(StatementContext, SkipsTheTransactionWrapperWithoutAPosition) {
  // copy and restore run each item as "BEGIN;\n<item>\nCOMMIT;": the
  // message used to quote "BEGIN;".
  std::string sql =
      "BEGIN;\nCREATE AGGREGATE public.agg(double precision) (\n    SFUNC = f,\n    STYPE = "
      "internal\n);\nCOMMIT;";
  EXPECT_EQ(statement_context(sql, 0),
            "CREATE AGGREGATE public.agg(double precision) ( SFUNC = f, STYPE = internal );");
}

TEST(StatementContext, QuotesTheStatementHoldingThePosition) {
  std::string sql = "SET a = 1;\nCREATE TABLE t (a int);\nCREATE INDEX i ON t USING gist (a);\n";
  size_t at = sql.find("gist");
  EXPECT_EQ(statement_context(sql, static_cast<int>(at) + 1),
            "CREATE INDEX i ON t USING gist (a);");
}

TEST(StatementContext, CutsLongStatementsAtAWordBoundary) {
  std::string sql = "CREATE VIEW v AS SELECT ";
  for (int i = 0; i < 100; ++i) sql += "column_" + std::to_string(i) + ", ";
  sql += "x FROM t;";
  std::string c = statement_context(sql, 0);
  EXPECT_LE(c.size(), 304u);
  EXPECT_EQ(c.substr(c.size() - 4), " ...");
  // The last word before the cut is whole.
  std::string body = c.substr(0, c.size() - 4);
  EXPECT_TRUE(body.back() == ',' || std::isdigit(static_cast<unsigned char>(body.back())));
  EXPECT_EQ(sql.rfind(body, 0), 0u);
}

TEST(StatementContext, NeverCutsInsideAMultiByteCharacter) {
  std::string long_word = "SELECT '";
  for (int i = 0; i < 200; ++i) long_word += "é";
  std::string c = statement_context(long_word, 0);
  std::string body = c.substr(0, c.size() - 4);
  // Whole two-byte characters only: the body's length after the prefix is even.
  EXPECT_EQ((body.size() - std::string("SELECT '").size()) % 2, 0u);
}

}  // namespace
}  // namespace pgshuttle::pg
