// ChangeSegment: the pending changes of one target table that go out as a
// few set-wise statements (apply_sql.h) instead of one per row.
//
// A segment never holds one key twice: the caller executes it and starts a
// new one when a key repeats, so that every row changes at most once per
// segment and the order of changes to one row is kept. Changes of distinct
// keys may then go out in any order (deletes, then upserts, then updates)
// when nothing but the key is unique (`mixed`); otherwise a segment holds
// one kind of change with one column list, in arrival order, as a run.
//
// Thread safety: plain value type.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "sync/apply_sql.h"

namespace pgshuttle::sync {

enum class ChangeKind { kUpsert, kUpdate, kDelete };

class ChangeSegment {
 public:
  ChangeSegment(uint32_t relation, bool mixed) : relation_(relation), mixed_(mixed) {}

  uint32_t relation() const { return relation_; }
  bool empty() const { return rows_ == 0; }
  // Whether a change of `kind` to `cols` at `key` may join (at most
  // `max_rows` rows in all).
  bool accepts(ChangeKind kind, const std::vector<int>& cols, const std::string& key,
               int max_rows) const;
  void add(ChangeKind kind, std::vector<int> cols, RowExprs row, std::string key);
  // The statements that apply the segment, in the order to run them.
  std::vector<std::string> statements(const TableShape& t) const;

 private:
  uint32_t relation_;
  bool mixed_;
  int rows_ = 0;
  std::set<ChangeKind> kinds_;
  std::vector<RowExprs> upserts_, deletes_;
  std::map<std::vector<int>, std::vector<RowExprs>> updates_;  // by the columns sent
  std::set<std::string> keys_;
};

}  // namespace pgshuttle::sync
