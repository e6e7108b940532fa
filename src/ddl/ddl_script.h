// DdlScript: a plain-text pg_dump / pg_restore script split into its items.
//
// pg_dump writes a header comment before every archive entry:
//   --
//   -- Name: orders; Type: TABLE; Schema: shop; Owner: -
//   --
// Splitting on those headers turns one script into DdlItems that can be run
// one by one: in order, in parallel per table (indexes, constraints), or
// skipped, and whose failures can be judged one at a time (a comment on an
// extension the target user does not own is a warning, not a failure).
// `restore` produces the same text with `pg_restore -f - --section=...`.
//
// Thread safety: plain value types and pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace pgshuttle::ddl {

struct DdlItem {
  std::string type;    // "TABLE", "INDEX", "FK CONSTRAINT", "" for the preamble
  std::string schema;  // "-" when the entry has none
  std::string name;    // "orders", "orders orders_pkey" for constraints
  std::string sql;     // the statements of the item, without the header
  // For post-data items on one table (INDEX, CONSTRAINT, CHECK CONSTRAINT,
  // TRIGGER): the qualified table "schema.table" as written in the SQL
  // (quoted identifiers kept); empty otherwise.
  std::string table;
  std::string owner;  // "-" when pg_dump ran with --no-owner
};

struct DdlScript {
  // SET statements before the first item; run them in every session.
  std::string preamble;
  std::vector<DdlItem> items;
};

// Splits `text` into its preamble and items.
DdlScript parse_ddl_script(std::string_view text);

// `text` without server-managed attribute options. Some server builds keep
// a column version among a column's options ('pg_attver=N'): their own
// pg_dump leaves it out, but another major's pg_dump (an upgrade dumps with
// the target's) prints it as `ALTER TABLE ONLY t ALTER COLUMN c SET
// (pg_attver=N);`, which any other server refuses ("unrecognized
// parameter"). It is no user setting, so it is dropped from such lines (the
// statement too when nothing else is left).
std::string drop_server_managed_options(std::string_view text);

// Regular-expression pieces for the names in pg_dump's SQL, which pg_dump
// has already quoted where needed: a plain name, or a double-quoted one
// that may hold spaces, dots, parentheses and doubled quotes
// ("Mixed Case", "a""b"); a qualified one is two such names joined by a dot.
// Matched names are used as written, never unquoted or quoted again.
inline constexpr const char* kSqlNamePattern = R"((?:"(?:[^"]|"")+"|[^\s".(),;]+))";
std::string qualified_name_pattern();

// The table a post-data item acts on ("shop.orders"), or "" when the item is
// not bound to exactly one table. Exposed for tests.
std::string item_table(const DdlItem& item);

// True for foreign keys, which must wait until every table is loaded.
bool is_foreign_key(const DdlItem& item);

// The relative cost of building what `definition` (CREATE INDEX, ADD
// CONSTRAINT ...) creates, per byte of its table, so that schedulers start
// the slowest first: GiST, SP-GiST and exclusion constraints insert tuple by
// tuple (4), GIN (3), B-tree and the rest sort (1). One rule for restore and
// copy.
int build_cost(std::string_view definition);

}  // namespace pgshuttle::ddl
