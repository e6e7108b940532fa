#include "copy/copy_plan.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/log.h"
#include "sql/copy.h"

namespace pgshuttle::copy {

ddl::SchemaDumpOptions schema_dump_options(const CopyOptions& o, const std::string& snapshot,
                                           ddl::Section section) {
  ddl::SchemaDumpOptions d;
  d.section = section;
  d.snapshot = snapshot;
  d.keep_owner = o.keep_owner;
  d.keep_acl = o.keep_acl;
  d.large_objects = !o.schema_only;
  d.filter = o.filter;
  return d;
}

int ranges_for(int64_t bytes, int64_t split_larger_than) {
  if (split_larger_than <= 0 || bytes <= split_larger_than) return 1;
  return static_cast<int>(
      std::min<int64_t>((bytes + split_larger_than - 1) / split_larger_than, 1024));
}

namespace {

using Name = std::pair<std::string, std::string>;  // raw schema and name

// What pg_dump selected: raw names from its headers, compared with the
// catalog's raw names (never with a quoted form: quoting rules differ).
struct Selection {
  std::set<Name> tables;
  std::set<std::string> extensions;
};

Selection selection_of(const ddl::DdlScript& pre, CopyPlan& plan) {
  Selection s;
  for (const auto& item : pre.items) {
    if (item.type == "TABLE") s.tables.insert({item.schema, item.name});
    if (item.type == "SEQUENCE") plan.sequences.insert({item.schema, item.name});
    if (item.type == "EXTENSION") s.extensions.insert(item.name);
  }
  return s;
}

TableInfo table_of(const pg::QueryResult& rows, int i) {
  TableInfo t;
  t.schema = rows.get(i, 0);
  t.name = rows.get(i, 1);
  t.qualified = rows.get(i, 2);
  t.bytes = rows.get_int(i, 3);
  t.columns = rows.get(i, 5);
  t.text_only_types = rows.get(i, 6);
  t.pages = rows.get_int(i, 7);
  t.extension_config = !rows.is_null(i, 8);
  t.extension_condition = rows.get(i, 9);
  if (!rows.is_null(i, 10)) {
    std::string names = rows.get(i, 10);
    for (size_t start = 0; start <= names.size();) {
      size_t end = names.find('\n', start);
      if (end == std::string::npos) end = names.size();
      t.insertion_built_indexes.push_back(names.substr(start, end - start));
      start = end + 1;
    }
  }
  return t;
}

}  // namespace

Result<CopyPlan> make_plan(pg::Connection& source, pg::Connection& target, const CopyOptions& o,
                           const ddl::DdlScript& pre) {
  CopyPlan plan;
  Selection selected = selection_of(pre, plan);
  bool same_major = source.server_version() / 10000 == target.server_version() / 10000;
  if (!same_major && !o.no_binary) {
    log::info("text COPY for every table: source and target major versions differ");
  }
  PGS_ASSIGN_OR_RETURN(auto rows, source.query(sql::copy::tables));
  for (int i = 0; i < rows.rows(); ++i) {
    TableInfo t = table_of(rows, i);
    bool wanted = t.extension_config ? selected.extensions.count(rows.get(i, 8)) > 0
                                     : selected.tables.count({t.schema, t.name}) > 0;
    if (!wanted) continue;
    t.binary = same_major && t.text_only_types.empty() && !o.no_binary;
    if (same_major && !t.text_only_types.empty() && !o.no_binary) {
      log::info("text COPY for {}: the binary form of {} differs between servers", t.qualified,
                t.text_only_types);
    }
    if (t.extension_config) {
      log::info("{}: configuration table of extension {}: {} copied", t.qualified, rows.get(i, 8),
                t.extension_condition.empty() ? "all its rows" : "the rows its filter selects");
    }
    t.ranges = t.extension_config ? 1 : ranges_for(t.bytes, o.split_larger_than);
    if (!t.extension_config && !o.schema_only && !o.data_only && o.indexes_during_load &&
        o.jobs > 1 && !t.insertion_built_indexes.empty() &&
        t.bytes >= o.split_for_indexes_larger_than) {
      t.ranges = std::max(t.ranges, o.jobs);
      t.indexes_before_load = true;
      std::string names;
      for (const auto& n : t.insertion_built_indexes) names += (names.empty() ? "" : ", ") + n;
      log::info(
          "{}: loaded by {} sessions into its index(es) {}, created before the load: they build "
          "by inserting each row (GiST without a sorted build, SP-GiST), so the loading sessions "
          "build them together instead of one session after the load (--index-build during)",
          t.qualified, t.ranges, names);
    }
    plan.total_bytes += t.bytes;
    plan.tables.push_back(std::move(t));
  }
  return plan;
}

Status reset_partial_split_tables(pg::Connection& target, CopyState& state, const CopyPlan& plan) {
  for (const auto& t : plan.tables) {
    if (t.ranges <= 1) continue;
    int done = 0;
    for (int r = 0; r < t.ranges; ++r) {
      done += state.is_done(fmt::format("range:{}:{}", t.qualified, r)) ? 1 : 0;
    }
    if (done == t.ranges) continue;
    log::info("{}: redoing all {} ranges from an empty table", t.qualified, t.ranges);
    PGS_TRY(target.exec("TRUNCATE ONLY " + t.qualified));
    PGS_TRY(state.forget_prefix("range:" + t.qualified + ":"));
  }
  return ok_status();
}

}  // namespace pgshuttle::copy
