// apply_sql: the set-wise statements that apply a run of decoded changes of
// one table to the target, one statement for many rows:
//
//   upsert   INSERT ... VALUES (...), (...) ON CONFLICT (key) DO UPDATE
//            (an Insert, or an Update that sent every column: applying it
//            twice leaves the same row, which a resumed copy relies on);
//   update   UPDATE ... FROM (VALUES ...) v WHERE key matches, setting only
//            the columns the source sent (an unchanged TOASTed value is not
//            sent and never overwrites the target's);
//   delete   DELETE ... USING (VALUES ...) v WHERE key matches.
//
// Values arrive as SQL expressions already quoted and cast by the caller
// ('text'::type or NULL::type); names are quoted identifiers. A run never
// holds one key twice (the caller starts a new run), as one statement
// cannot change a row twice.
//
// Thread safety: pure functions.
#pragma once

#include <string>
#include <vector>

namespace pgshuttle::sync {

// A target table as the change stream writes it.
struct TableShape {
  std::string qualified;             // "schema"."table", quoted
  std::vector<std::string> columns;  // quoted names, in the source's column order
  std::vector<std::string> types;    // the target's spelling, for casts
  std::vector<bool> key;             // replica identity columns
  // No foreign key from or to it and no user trigger on it: its changes
  // may go out before or after other tables' changes of the same batch.
  bool independent = false;
  // Its only unique index is the key's: changes of distinct keys commute.
  bool key_only_unique = false;
};

// One row of a run: values of the run's columns, in its column order.
using RowExprs = std::vector<std::string>;

// Every column of the table, in order.
std::string upsert_sql(const TableShape& t, const std::vector<RowExprs>& rows);
// `cols`: the column indexes the rows carry (the key columns among them).
std::string update_sql(const TableShape& t, const std::vector<int>& cols,
                       const std::vector<RowExprs>& rows);
// Rows of key values, in key column order.
std::string delete_sql(const TableShape& t, const std::vector<RowExprs>& keys);
// One row whose key changed: sets `cols` to `values` where the key is `old_key`.
std::string update_key_sql(const TableShape& t, const std::vector<int>& cols,
                           const RowExprs& values, const RowExprs& old_key);

// The key column indexes of `t`, in order.
std::vector<int> key_columns(const TableShape& t);

}  // namespace pgshuttle::sync
