#include "sync/target_applier.h"

#include <fmt/format.h>

#include <algorithm>

#include "sql/sync.h"

namespace pgshuttle::sync {
namespace {

using logical::ColumnValue;

// Types below this oid are built in: the same oid means the same type on
// every server, so a changed oid is a changed column type.
constexpr uint32_t kFirstNormalObjectId = 16384;

Error ddl_error(const std::string& table, const std::string& what) {
  return make_error(
      ErrorCode::kBlocked,
      fmt::format("the source's table {} no longer matches the target's: {}; logical decoding "
                  "does not carry DDL, so sync stopped before applying any change to it",
                  table, what),
      "make the same change to the target's table (ALTER TABLE ...), then run the same "
      "pgshuttle sync command again: it continues after the last applied transaction");
}

// A row's key as one string, to tell two changes of one row apart.
std::string key_text(const logical::TupleData& tuple, const std::vector<int>& keys) {
  std::string out;
  for (int k : keys) {
    const auto& v = tuple[static_cast<size_t>(k)];
    if (const auto* t = std::get_if<logical::TextValue>(&v)) {
      out += std::to_string(t->text.size()) + ':' + t->text;
    } else {
      out += "n;";
    }
  }
  return out;
}

std::vector<int> all_columns(const TableShape& t) {
  std::vector<int> out(t.columns.size());
  for (size_t i = 0; i < out.size(); ++i) out[i] = static_cast<int>(i);
  return out;
}

}  // namespace

Result<std::unique_ptr<TargetApplier>> TargetApplier::open(pg::Connection target,
                                                           std::string sync_id, int run_rows) {
  std::unique_ptr<TargetApplier> a(
      new TargetApplier(std::move(target), std::move(sync_id), std::max(1, run_rows)));
  PGS_TRY(a->target_.exec(sql::sync::applied_position));
  PGS_ASSIGN_OR_RETURN(auto row, a->target_.query(sql::sync::read_position, {a->sync_id_}));
  if (row.rows() == 1) {
    a->applied_.commit = logical::Lsn::parse(row.view(0, 0)).value_or(logical::Lsn{});
    a->applied_.end = logical::Lsn::parse(row.view(0, 1)).value_or(logical::Lsn{});
    a->applied_.transactions = row.get_int(0, 2);
    a->applied_.changes = row.get_int(0, 3);
  }
  return a;
}

Status TargetApplier::relation(const logical::Relation& r) {
  // Pending changes of the table go out in the shape they were read in.
  auto pending = free_.find(r.relation_id);
  if (pending != free_.end()) PGS_TRY(execute_segment(pending->second));
  if (ordered_ && ordered_->relation() == r.relation_id) PGS_TRY(execute_segment(*ordered_));
  relations_[r.relation_id] = r;
  shapes_.erase(r.relation_id);
  return ok_status();
}

Status TargetApplier::check_relation(const logical::Relation& r) {
  std::string name = r.schema + "." + r.name;
  if (r.replica_identity == 'f' || r.replica_identity == 'n') {
    return ddl_error(name, fmt::format("its replica identity is now {}",
                                       r.replica_identity == 'f' ? "FULL" : "NOTHING"));
  }
  TableShape t;
  t.qualified = target_.quote_ident(r.schema) + "." + target_.quote_ident(r.name);
  PGS_ASSIGN_OR_RETURN(auto cols, target_.query(sql::sync::target_columns, {t.qualified}));
  if (cols.rows() == 0) return ddl_error(name, "the target has no such table");
  std::map<std::string, std::pair<std::string, uint32_t>> target_cols;
  for (int i = 0; i < cols.rows(); ++i) {
    target_cols[cols.get(i, 0)] = {cols.get(i, 1), static_cast<uint32_t>(cols.get_int(i, 2))};
  }
  std::vector<std::string> problems;
  bool any_key = false;
  for (const auto& c : r.columns) {
    auto it = target_cols.find(c.name);
    if (it == target_cols.end()) {
      problems.push_back(fmt::format("column {} is not on the target", c.name));
      continue;
    }
    if (c.type_oid < kFirstNormalObjectId && c.type_oid != it->second.second) {
      problems.push_back(
          fmt::format("column {} has another type on the target ({})", c.name, it->second.first));
    }
    t.columns.push_back(target_.quote_ident(c.name));
    t.types.push_back(it->second.first);
    t.key.push_back(c.key);
    any_key = any_key || c.key;
    target_cols.erase(it);
  }
  for (const auto& [col, type] : target_cols) {
    problems.push_back(fmt::format("the target's column {} is not on the source", col));
  }
  if (!problems.empty()) {
    std::string all;
    for (const auto& p : problems) all += (all.empty() ? "" : "; ") + p;
    return ddl_error(name, all);
  }
  if (!any_key) return ddl_error(name, "no replica identity column was sent");
  PGS_ASSIGN_OR_RETURN(auto links, target_.query(sql::sync::target_table_links, {t.qualified}));
  t.independent = !links.get_bool(0, 0);
  t.key_only_unique = links.get_int(0, 1) <= 1;
  shapes_[r.relation_id] = std::move(t);
  return ok_status();
}

Result<const TableShape*> TargetApplier::shape(uint32_t relation) {
  auto it = shapes_.find(relation);
  if (it != shapes_.end()) return &it->second;
  auto described = relations_.find(relation);
  if (described == relations_.end()) {
    return make_error(
        ErrorCode::kSource,
        fmt::format("the source sent a change of relation {} before describing it", relation));
  }
  PGS_TRY(check_relation(described->second));
  return &shapes_.at(relation);
}

Result<RowExprs> TargetApplier::exprs(const TableShape& t, const logical::TupleData& tuple,
                                      const std::vector<int>& cols) const {
  if (tuple.size() != t.columns.size()) {
    return make_error(ErrorCode::kSource,
                      fmt::format("the source sent {} columns for {}, which has {}", tuple.size(),
                                  t.qualified, t.columns.size()));
  }
  RowExprs out;
  out.reserve(cols.size());
  for (int c : cols) {
    const ColumnValue& v = tuple[static_cast<size_t>(c)];
    const std::string& type = t.types[static_cast<size_t>(c)];
    if (const auto* text = std::get_if<logical::TextValue>(&v)) {
      out.push_back(target_.quote_literal(text->text) + "::" + type);
    } else if (std::holds_alternative<logical::NullValue>(v)) {
      out.push_back("NULL::" + type);
    } else {
      return make_error(ErrorCode::kInternal,
                        fmt::format("column {} of {}: an unchanged or binary value cannot be "
                                    "written",
                                    t.columns[static_cast<size_t>(c)], t.qualified));
    }
  }
  return out;
}

Status TargetApplier::insert(const logical::Insert& m) {
  PGS_ASSIGN_OR_RETURN(const TableShape* t, shape(m.relation_id));
  auto cols = all_columns(*t);
  PGS_ASSIGN_OR_RETURN(RowExprs row, exprs(*t, m.new_tuple, cols));
  return add(m.relation_id, ChangeKind::kUpsert, std::move(cols), std::move(row),
             key_text(m.new_tuple, key_columns(*t)));
}

Status TargetApplier::update(const logical::Update& m) {
  PGS_ASSIGN_OR_RETURN(const TableShape* t, shape(m.relation_id));
  if (m.new_tuple.size() != t->columns.size()) {
    auto wrong = exprs(*t, m.new_tuple, {});
    if (!wrong.ok()) return wrong.error();
  }
  std::vector<int> present;
  for (size_t i = 0; i < m.new_tuple.size(); ++i) {
    if (!std::holds_alternative<logical::UnchangedToast>(m.new_tuple[i])) {
      present.push_back(static_cast<int>(i));
    }
  }
  auto keys = key_columns(*t);
  if (m.old_kind != logical::OldRow::kNone) {
    // The key changed (or the old row came whole): one row at its old key.
    PGS_TRY(execute_all());
    PGS_ASSIGN_OR_RETURN(RowExprs old_key, exprs(*t, m.old_tuple, keys));
    PGS_ASSIGN_OR_RETURN(RowExprs values, exprs(*t, m.new_tuple, present));
    ++batch_.changes;
    return execute(update_key_sql(*t, present, values, old_key));
  }
  ChangeKind kind = present.size() == t->columns.size() ? ChangeKind::kUpsert : ChangeKind::kUpdate;
  PGS_ASSIGN_OR_RETURN(RowExprs row, exprs(*t, m.new_tuple, present));
  return add(m.relation_id, kind, std::move(present), std::move(row), key_text(m.new_tuple, keys));
}

Status TargetApplier::remove(const logical::Delete& m) {
  PGS_ASSIGN_OR_RETURN(const TableShape* t, shape(m.relation_id));
  auto keys = key_columns(*t);
  PGS_ASSIGN_OR_RETURN(RowExprs row, exprs(*t, m.old_tuple, keys));
  return add(m.relation_id, ChangeKind::kDelete, keys, std::move(row), key_text(m.old_tuple, keys));
}

Status TargetApplier::truncate(const logical::Truncate& m) {
  PGS_TRY(execute_all());
  std::string list;
  for (uint32_t id : m.relation_ids) {
    PGS_ASSIGN_OR_RETURN(const TableShape* t, shape(id));
    list += (list.empty() ? "" : ", ") + t->qualified;
  }
  if (list.empty()) return ok_status();
  ++batch_.changes;
  return execute("TRUNCATE " + list + (m.restart_identity ? " RESTART IDENTITY" : "") +
                 (m.cascade ? " CASCADE" : ""));
}

void TargetApplier::commit(const logical::Commit& c) {
  ++batch_.transactions;
  batch_.commit = c.commit_lsn;
  batch_.end = c.end_lsn;
  changes_at_commit_ = batch_.changes;
}

Status TargetApplier::add(uint32_t relation, ChangeKind kind, std::vector<int> cols, RowExprs row,
                          std::string key) {
  PGS_ASSIGN_OR_RETURN(const TableShape* t, shape(relation));
  ChangeSegment* segment = nullptr;
  if (t->independent) {
    segment = &free_.try_emplace(relation, relation, t->key_only_unique).first->second;
    if (!segment->accepts(kind, cols, key, run_rows_)) PGS_TRY(execute_segment(*segment));
  } else {
    if (ordered_ &&
        (ordered_->relation() != relation || !ordered_->accepts(kind, cols, key, run_rows_))) {
      PGS_TRY(execute_segment(*ordered_));
    }
    if (!ordered_ || ordered_->relation() != relation) {
      ordered_.emplace(relation, t->key_only_unique);
    }
    segment = &*ordered_;
  }
  segment->add(kind, std::move(cols), std::move(row), std::move(key));
  ++batch_.changes;
  return ok_status();
}

Status TargetApplier::execute_segment(ChangeSegment& segment) {
  if (segment.empty()) return ok_status();
  PGS_ASSIGN_OR_RETURN(const TableShape* t, shape(segment.relation()));
  auto statements = segment.statements(*t);
  segment = ChangeSegment(segment.relation(), t->key_only_unique);
  for (const auto& sql : statements) PGS_TRY(execute(sql));
  return ok_status();
}

Status TargetApplier::execute_all() {
  if (ordered_) PGS_TRY(execute_segment(*ordered_));
  for (auto& [relation, segment] : free_) PGS_TRY(execute_segment(segment));
  return ok_status();
}

Status TargetApplier::execute(const std::string& sql) {
  if (!open_) {
    PGS_TRY(target_.exec("BEGIN"));
    open_ = true;
  }
  return target_.exec(sql);
}

Status TargetApplier::flush() {
  if (batch_.transactions == 0) return ok_status();
  PGS_TRY(execute_all());
  PGS_TRY(execute("SELECT 1"));  // opens the transaction when no change did
  auto recorded =
      target_.query(sql::sync::record_position,
                    {sync_id_, batch_.commit.to_string(), batch_.end.to_string(),
                     std::to_string(batch_.transactions), std::to_string(batch_.changes)});
  if (!recorded.ok()) return recorded.error();
  PGS_TRY(target_.exec("COMMIT"));
  open_ = false;
  applied_.commit = batch_.commit;
  applied_.end = batch_.end;
  applied_.transactions += batch_.transactions;
  applied_.changes += batch_.changes;
  batch_ = AppliedPosition{};
  changes_at_commit_ = 0;
  return ok_status();
}

Status forget_position(pg::Connection& target, const std::string& sync_id) {
  PGS_ASSIGN_OR_RETURN(auto exists, target.query("SELECT pg_catalog.to_regclass("
                                                 "'pgshuttle.sync_state') IS NOT NULL"));
  if (!exists.get_bool(0, 0)) return ok_status();
  PGS_ASSIGN_OR_RETURN(auto left, target.query(sql::sync::forget_position, {sync_id}));
  if (left.get_int(0, 0) > 0) return ok_status();
  PGS_TRY(target.exec("DROP TABLE pgshuttle.sync_state"));
  // Only when empty: whatever else a user put there stays.
  auto dropped = target.exec("DROP SCHEMA pgshuttle");
  (void)dropped;
  return ok_status();
}

}  // namespace pgshuttle::sync
