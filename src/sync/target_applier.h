// TargetApplier: applies the decoded change stream of the source to the
// target, many source transactions per target transaction (group commit),
// set-wise per table (apply_sql.h), and records in the same target
// transaction how far it applied (pgshuttle.sync_state), so that the
// target's commit and its applied position are one fact: after a crash the
// stream is replayed from the slot and every transaction at or before the
// recorded commit position is skipped, never applied twice.
//
// Changes go out as segments fill (change_segment.h), inside one open
// target transaction that flush() commits, so memory stays bounded even for
// a source transaction of millions of rows. Within a batch, changes of a
// table with no foreign key and no user trigger are gathered per table
// across transactions (they commute with other tables' changes); the other
// tables' changes keep their order. A Relation message is checked
// against the target's table: a column added, dropped, renamed or retyped on
// the source (DDL, which logical decoding does not carry) stops the apply
// with the table named, before any of its changes is written.
//
// Thread safety: one thread.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/result.h"
#include "logical/lsn.h"
#include "logical/pgoutput.h"
#include "pg/connection.h"
#include "sync/apply_sql.h"
#include "sync/change_segment.h"

namespace pgshuttle::sync {

struct AppliedPosition {
  logical::Lsn commit;  // the last applied source transaction's commit record
  logical::Lsn end;     // just past it
  int64_t transactions = 0;
  int64_t changes = 0;
};

class TargetApplier {
 public:
  // Takes a pinned target session; creates pgshuttle.sync_state when
  // missing and reads sync `sync_id`'s applied position. `run_rows` bounds
  // the rows of one statement.
  static Result<std::unique_ptr<TargetApplier>> open(pg::Connection target, std::string sync_id,
                                                     int run_rows);

  // A Relation message; checked against the target when a change of it is
  // applied (a replayed transaction that is skipped may describe a table as
  // it was before a DDL change the target already has).
  Status relation(const logical::Relation& r);
  Status insert(const logical::Insert& m);
  Status update(const logical::Update& m);
  Status remove(const logical::Delete& m);
  Status truncate(const logical::Truncate& m);
  // The source transaction ended; it is applied by the next flush().
  void commit(const logical::Commit& c);

  // Source transactions committed since the last flush().
  int64_t pending_transactions() const { return batch_.transactions; }
  int64_t pending_changes() const { return batch_.changes; }
  // Whether the source transaction in progress has changes among the
  // pending ones (flush() would then apply part of it).
  bool open_transaction_has_changes() const { return batch_.changes != changes_at_commit_; }
  // Commits the pending transactions and their position in one target
  // transaction; nothing to do when none is pending.
  Status flush();

  const AppliedPosition& applied() const { return applied_; }
  pg::Connection& connection() { return target_; }

 private:
  TargetApplier(pg::Connection target, std::string sync_id, int run_rows)
      : target_(std::move(target)), sync_id_(std::move(sync_id)), run_rows_(run_rows) {}
  // The target's shape of `relation`, checked against the source's last
  // Relation message the first time a change of it is applied.
  Result<const TableShape*> shape(uint32_t relation);
  Status check_relation(const logical::Relation& r);
  Result<RowExprs> exprs(const TableShape& t, const logical::TupleData& tuple,
                         const std::vector<int>& cols) const;
  Status add(uint32_t relation, ChangeKind kind, std::vector<int> cols, RowExprs row,
             std::string key);
  Status execute_segment(ChangeSegment& segment);
  // Everything pending goes out (before a truncate, a key change, a commit).
  Status execute_all();
  Status execute(const std::string& sql);

  pg::Connection target_;
  std::string sync_id_;
  int run_rows_;
  std::map<uint32_t, logical::Relation> relations_;  // as the source last described them
  std::map<uint32_t, TableShape> shapes_;            // checked against the target
  // Pending changes: one segment per independent table, and one for the
  // tables whose changes keep their order relative to each other's.
  std::map<uint32_t, ChangeSegment> free_;
  std::optional<ChangeSegment> ordered_;
  bool open_ = false;  // a target transaction is open
  AppliedPosition batch_;
  int64_t changes_at_commit_ = 0;  // batch_.changes at the last commit()
  AppliedPosition applied_;
};

// After a cutover: forgets sync `sync_id`'s position, and pgshuttle's table
// and schema on the target once no other sync uses them. Idempotent.
Status forget_position(pg::Connection& target, const std::string& sync_id);

}  // namespace pgshuttle::sync
