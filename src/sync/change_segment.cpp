#include "sync/change_segment.h"

namespace pgshuttle::sync {

bool ChangeSegment::accepts(ChangeKind kind, const std::vector<int>& cols, const std::string& key,
                            int max_rows) const {
  if (rows_ == 0) return true;
  if (rows_ >= max_rows || keys_.count(key) > 0) return false;
  if (mixed_) return true;
  if (kinds_.count(kind) == 0) return false;
  return kind != ChangeKind::kUpdate || updates_.count(cols) > 0;
}

void ChangeSegment::add(ChangeKind kind, std::vector<int> cols, RowExprs row, std::string key) {
  switch (kind) {
    case ChangeKind::kUpsert:
      upserts_.push_back(std::move(row));
      break;
    case ChangeKind::kUpdate:
      updates_[std::move(cols)].push_back(std::move(row));
      break;
    case ChangeKind::kDelete:
      deletes_.push_back(std::move(row));
      break;
  }
  kinds_.insert(kind);
  keys_.insert(std::move(key));
  ++rows_;
}

std::vector<std::string> ChangeSegment::statements(const TableShape& t) const {
  std::vector<std::string> out;
  if (!deletes_.empty()) out.push_back(delete_sql(t, deletes_));
  if (!upserts_.empty()) out.push_back(upsert_sql(t, upserts_));
  for (const auto& [cols, rows] : updates_) {
    std::string sql = update_sql(t, cols, rows);
    if (!sql.empty()) out.push_back(std::move(sql));
  }
  return out;
}

}  // namespace pgshuttle::sync
