#include "verify/verify.h"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <future>
#include <map>
#include <optional>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/fault.h"
#include "core/log.h"
#include "pg/cancel_watch.h"
#include "pg/tools.h"
#include "verify/data_compare.h"
#include "verify/known_skips.h"
#include "verify/query_compare.h"
#include "verify/schema_compare.h"
#include "verify/session.h"
#include "verify/settings_warnings.h"
#include "verify/table_plan.h"

namespace pgshuttle::verify {

int64_t auto_chunk_rows(int64_t total_rows, int jobs) {
  constexpr int64_t kMinimum = 1'000'000;
  int64_t parts = 2 * static_cast<int64_t>(std::max(1, jobs));
  int64_t share = (std::max<int64_t>(total_rows, 0) + parts - 1) / parts;
  return std::max(kMinimum, share);
}

namespace {

using Clock = std::chrono::steady_clock;

double since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

std::string now_iso8601() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// With --include/--exclude: the objects of the selected relations (the
// relation itself, its columns, constraints, triggers, rules, policies,
// indexes and extended statistics) and the other objects of the schemas
// selected as a whole; what belongs to a relation left out goes with it,
// whatever its schema. A relation only the target has, in a schema selected
// whole, stays (an extra table is a difference). Large objects always stay
// (backup and copy run pg_dump with --blobs); other objects of the whole
// database (no schema) stay only when nothing was included by name, as
// pg_dump dumps them then.
void keep_selected(const ddl::Selection& selection, CatalogSnapshot& source,
                   CatalogSnapshot& target) {
  static const std::set<std::string> kRelations = {"table", "view", "materialized view",
                                                   "foreign table", "sequence"};
  static const std::set<std::string> kParts = {"column", "constraint", "trigger", "rule", "policy"};
  std::set<std::string> relations, on_source, schemas;  // relations and schemas of either side
  for (const auto* side : {&source, &target}) {
    for (const auto& [key, props] : *side) {
      if (kRelations.count(key.first)) relations.insert(key.second);
      if (kRelations.count(key.first) && side == &source) on_source.insert(key.second);
      if (key.first == "schema") schemas.insert(key.second);
    }
  }
  // The longest "a.b" prefix of `object`, up to a dot, that `names` holds
  // (a schema or relation name may itself hold dots).
  auto longest_prefix_in = [](const std::string& object,
                              const std::set<std::string>& names) -> std::optional<std::string> {
    for (size_t dot = object.rfind('.'); dot != std::string::npos && dot > 0;
         dot = object.rfind('.', dot - 1)) {
      std::string prefix = object.substr(0, dot);
      if (names.count(prefix)) return prefix;
    }
    return std::nullopt;
  };
  auto schema_of = [&](const std::string& object) { return longest_prefix_in(object, schemas); };
  auto in_whole_schema = [&](const std::string& object) {
    auto schema = schema_of(object);
    return schema && selection.schemas.count(*schema) > 0;
  };
  auto relation_in = [&](const std::string& relation) {
    return selection.relations.count(relation) > 0 ||
           (!on_source.count(relation) && in_whole_schema(relation));
  };
  auto owner_relation = [&](const std::string& object) {
    return longest_prefix_in(object, relations);
  };
  auto selected = [&](const ObjectKey& key, const Properties& props) {
    const auto& [kind, object] = key;
    if (kind == "schema") return selection.schemas.count(object) > 0;
    // backup and copy take large objects with any filter (pg_dump --blobs).
    if (kind == "large object") return true;
    if (kRelations.count(kind)) return relation_in(object);
    if (kind == "index" || kind == "statistics") {
      auto table = props.find("table");
      if (table != props.end() && table->second) return relation_in(*table->second);
    }
    if (kParts.count(kind)) {
      if (auto owner = owner_relation(object)) return relation_in(*owner);
    }
    if (schema_of(object)) return in_whole_schema(object);  // a function, a type, ...
    return !selection.includes;  // database-wide: an extension, a large object, a setting
  };
  for (auto* side : {&source, &target}) {
    std::erase_if(*side, [&](const auto& entry) { return !selected(entry.first, entry.second); });
    // A sequence of the part owned by a column of a table left out: pg_dump
    // leaves its OWNED BY out, so the target's sequence is owned by nothing.
    for (auto& [key, props] : *side) {
      if (key.first != "sequence") continue;
      auto owned = props.find("owned by");
      if (owned == props.end() || !owned->second) continue;
      if (auto owner = owner_relation(*owned->second); owner && !relation_in(*owner)) {
        owned->second.reset();
      }
    }
  }
}

Status compare_schemas(pg::Connection& source, pg::Connection& target, const VerifyOptions& options,
                       VerifyReport& report) {
  auto start = Clock::now();
  bool source_lo = true, target_lo = true;
  // Both sides at once: the schema costs one side's round trips, not two.
  auto on_target = std::async(std::launch::async, [&] { return read_catalog(target, target_lo); });
  auto source_catalog = read_catalog(source, source_lo);
  auto target_catalog = on_target.get();
  PGS_ASSIGN_OR_RETURN(auto s, std::move(source_catalog));
  PGS_ASSIGN_OR_RETURN(auto t, std::move(target_catalog));
  if (source_lo != target_lo) {
    // One side has content properties the other lacks: compare presence only.
    for (auto* side : {&s, &t}) {
      for (auto& [key, props] : *side) {
        if (key.first != "large object") continue;
        props.erase("md5");
        props.erase("size");
      }
    }
  }
  if (options.selection) keep_selected(*options.selection, s, t);
  report.schema_objects = static_cast<int>(s.size());
  auto diffs = diff_catalogs(s, t, options);
  PGS_TRY(drop_settings_the_source_has(source, t, diffs));
  PGS_TRY(soften_settings_the_target_lacks(target, diffs));
  if (!source_lo || !target_lo) {
    Difference d;
    d.severity = Severity::kWarning;
    d.kind = "large object";
    d.object = "(all)";
    d.problem = "contents not compared: no privilege to read them on the " +
                std::string(source_lo ? "target" : "source");
    diffs.push_back(std::move(d));
  }
  report.differences.insert(report.differences.end(), diffs.begin(), diffs.end());
  report.schema_seconds = since(start);
  return ok_status();
}

TableResult unmatched_table(const TableInfo& t, TableStatus status, std::string note) {
  TableResult r;
  r.schema = t.schema;
  r.name = t.name;
  r.status = status;
  r.has_key = !t.key.empty();
  r.note = std::move(note);
  return r;
}

// Rows that row-level security hides from this session can be neither read
// (row_security is off, so the server refuses) nor passed over: a verify
// that skipped them could say PASSED over rows it never saw. So the run
// stops before any data is read, naming each table and the fix. Changing the
// table (NO FORCE ROW LEVEL SECURITY) is not ours to do, and verify's
// transactions are read-only anyway.
// Only tables both sides have are read.
Status check_readable(const std::vector<TableInfo>& tables, const std::vector<TableInfo>& other,
                      const pg::Connection& conn) {
  std::set<std::string> on_other;
  for (const auto& t : other) on_other.insert(t.qualified());
  std::vector<std::string> blocked;
  for (const auto& t : tables) {
    if (t.unreadable.empty() || !on_other.count(t.qualified())) continue;
    blocked.push_back(t.qualified() + " (" + t.unreadable + ")");
  }
  if (blocked.empty()) return ok_status();
  return make_error(
      ErrorCode::kBlocked,
      fmt::format("verify cannot read every row of {} table(s) on the {} as role {}: {}",
                  blocked.size(), pg::side_name(conn.side()), conn.user(),
                  fmt::join(blocked, "; ")),
      fmt::format("connect to the {} as a superuser or as a role with BYPASSRLS (ALTER ROLE {} "
                  "BYPASSRLS, from the provider's console where only it may), or compare the "
                  "schema alone with --schema-only; verify never compares a table it cannot "
                  "fully read",
                  pg::side_name(conn.side()), conn.quote_ident(conn.user())));
}

// Plans the tables both sides have; the others go straight into `results`.
Result<std::vector<TablePlan>> plan_tables(pg::Connection& source, pg::Connection& target,
                                           const VerifyOptions& options,
                                           std::vector<TableResult>& results,
                                           std::string& report_row_hash) {
  RowHash hash = RowHash::kMd5;
  if (!options.md5_row_hash) {
    RowHash wanted =
        options.hash_bits >= 128 ? RowHash::kHashExtended128 : RowHash::kHashExtended64;
    PGS_ASSIGN_OR_RETURN(hash, choose_row_hash(source, target, wanted));
  }
  report_row_hash = std::string(row_hash_name(hash));
  PGS_ASSIGN_OR_RETURN(auto src, read_tables(source));
  PGS_ASSIGN_OR_RETURN(auto tgt, read_tables(target));
  if (options.selection) {
    // The selected tables; on the target also one the source lacks in a
    // schema selected whole (an extra table is a difference).
    const ddl::Selection& selection = *options.selection;
    std::set<std::string> on_source;
    for (const auto& t : src) on_source.insert(t.qualified());
    std::erase_if(
        src, [&](const TableInfo& t) { return selection.relations.count(t.qualified()) == 0; });
    std::erase_if(tgt, [&](const TableInfo& t) {
      return selection.relations.count(t.qualified()) == 0 &&
             (on_source.count(t.qualified()) > 0 || selection.schemas.count(t.schema) == 0);
    });
  }
  PGS_TRY(check_readable(src, tgt, source));
  PGS_TRY(check_readable(tgt, src, target));
  std::map<std::string, const TableInfo*> on_target;
  for (const auto& t : tgt) on_target[t.qualified()] = &t;
  std::vector<TablePlan> plans;
  int64_t total_rows = 0;
  for (const auto& s : src) total_rows += s.estimated_rows;
  int64_t chunk_rows =
      options.chunk_rows > 0 ? options.chunk_rows : auto_chunk_rows(total_rows, options.jobs);
  for (const auto& s : src) {
    auto it = on_target.find(s.qualified());
    if (it == on_target.end()) {
      results.push_back(unmatched_table(s, TableStatus::kMissing, "missing on target"));
      continue;
    }
    const TableInfo& t = *it->second;
    on_target.erase(it);
    if (!s.populated || !t.populated) {
      results.push_back(
          unmatched_table(s, TableStatus::kSkipped, "materialized view not populated"));
      continue;
    }
    TablePlan plan{s, {}, {}, {}, hash};
    std::set_intersection(s.columns.begin(), s.columns.end(), t.columns.begin(), t.columns.end(),
                          std::back_inserter(plan.columns));
    if (plan.columns.size() != s.columns.size() || plan.columns.size() != t.columns.size()) {
      plan.note = fmt::format("only the {} columns both sides have", plan.columns.size());
    }
    PGS_ASSIGN_OR_RETURN(plan.chunks, plan_chunks(source, s, chunk_rows));
    plans.push_back(std::move(plan));
  }
  for (const auto& [name, t] : on_target) {
    results.push_back(unmatched_table(*t, TableStatus::kExtra, "extra on target"));
  }
  return plans;
}

std::string data_summary(const TableResult& r) {
  std::string s = fmt::format("{} rows on source, {} on target", r.source_rows, r.target_rows);
  if (r.has_key) {
    s += fmt::format("; {} missing, {} extra, {} changed", r.missing_rows, r.extra_rows,
                     r.changed_rows);
  } else if (r.missing_rows || r.extra_rows) {
    s += fmt::format("; {} missing, {} extra (as a multiset)", r.missing_rows, r.extra_rows);
  }
  return s;
}

Status compare_tables(const SideSnapshot& src, const SideSnapshot& tgt, pg::Connection& source,
                      pg::Connection& target, const VerifyOptions& options, VerifyReport& report) {
  auto start = Clock::now();
  std::vector<TableResult> unmatched;
  PGS_ASSIGN_OR_RETURN(auto plans,
                       plan_tables(source, target, options, unmatched, report.row_hash));
  std::set<std::string> matviews;
  for (const auto& p : plans) {
    if (p.table.relkind == 'm') matviews.insert(p.table.qualified());
  }
  PGS_ASSIGN_OR_RETURN(auto outcomes, compare_data(src, tgt, plans, options));
  for (auto& o : outcomes) {
    if (o.result.status == TableStatus::kDiffer) {
      Difference d;
      d.kind = "table data";
      d.object = o.result.qualified();
      // A copy or restore fills a materialized view by refreshing it from
      // the moved tables; a source view not refreshed since its tables
      // changed holds other rows. Still a difference: the rows differ.
      d.problem = matviews.count(d.object)
                      ? "content differs (a materialized view: the target's was refreshed from "
                        "the moved tables; if the source's is stale, REFRESH MATERIALIZED VIEW "
                        "on the source and verify again)"
                      : "content differs";
      d.source_value = data_summary(o.result);
      report.differences.push_back(std::move(d));
    }
    // Chunks finish in any order; list a table's rows in a stable one.
    std::stable_sort(o.differences.begin(), o.differences.end(),
                     [](const Difference& a, const Difference& b) { return a.object < b.object; });
    report.differences.insert(report.differences.end(), o.differences.begin(), o.differences.end());
    report.tables.push_back(std::move(o.result));
  }
  for (auto& r : unmatched) {
    if (!options.compare_schema && r.status != TableStatus::kSkipped) {
      Difference d;
      d.kind = "table";
      d.object = r.qualified();
      d.problem = r.note;
      report.differences.push_back(std::move(d));
    }
    report.tables.push_back(std::move(r));
  }
  std::sort(
      report.tables.begin(), report.tables.end(),
      [](const TableResult& a, const TableResult& b) { return a.qualified() < b.qualified(); });
  report.data_seconds = since(start);
  return ok_status();
}

}  // namespace

std::string_view table_status_name(TableStatus status) {
  switch (status) {
    case TableStatus::kMatch:
      return "match";
    case TableStatus::kDiffer:
      return "differ";
    case TableStatus::kMissing:
      return "missing";
    case TableStatus::kExtra:
      return "extra";
    case TableStatus::kSkipped:
      return "skipped";
  }
  return "unknown";
}

int VerifyReport::difference_count() const {
  return static_cast<int>(std::count_if(differences.begin(), differences.end(), [](const auto& d) {
    return d.severity == Severity::kDifference;
  }));
}

int VerifyReport::warning_count() const {
  return static_cast<int>(std::count_if(differences.begin(), differences.end(), [](const auto& d) {
    return d.severity == Severity::kWarning;
  }));
}

int VerifyReport::known_skip_count() const {
  return static_cast<int>(std::count_if(differences.begin(), differences.end(), [](const auto& d) {
    return d.severity == Severity::kKnownSkip;
  }));
}

std::string_view VerifyReport::verdict() const {
  if (difference_count() > 0) return "FAILED";
  return known_skip_count() > 0 ? "INCOMPLETE" : "PASSED";
}

std::string_view severity_name(Severity severity) {
  switch (severity) {
    case Severity::kDifference:
      return "difference";
    case Severity::kWarning:
      return "warning";
    case Severity::kKnownSkip:
      return "known skip";
  }
  return "difference";
}

Result<VerifyReport> verify_databases(const pg::ConnInfo& source, const pg::ConnInfo& target,
                                      const VerifyOptions& given) {
  VerifyOptions options = given;
  auto start = Clock::now();
  VerifyReport report;
  report.source = source.to_uri(false);
  report.target = target.to_uri(false);
  report.started_at = now_iso8601();
  PGS_ASSIGN_OR_RETURN(auto src, SideSnapshot::open(source, pg::Side::kSource));
  PGS_ASSIGN_OR_RETURN(auto tgt, SideSnapshot::open(target, pg::Side::kTarget));
  // Catalog and user queries run on workers: an error there must not abort
  // the coordinators' transactions, which keep the snapshots alive.
  PGS_ASSIGN_OR_RETURN(auto src_conn, src.open_worker());
  PGS_ASSIGN_OR_RETURN(auto tgt_conn, tgt.open_worker());
  // Ctrl-C or `pgshuttle cancel` stops a catalog query waiting on a lock.
  pg::CancelWatch stop_on_cancel({&src_conn, &tgt_conn});
  if (!options.filter.empty() && !options.selection) {
    PGS_ASSIGN_OR_RETURN(auto tools,
                         pg::find_tools(src_conn.server_version() / 10000,
                                        tgt_conn.server_version() / 10000, options.pg_bindir));
    PGS_ASSIGN_OR_RETURN(auto selection,
                         ddl::select_objects(source, options.filter, tools.pg_dump));
    options.selection = std::make_shared<const ddl::Selection>(std::move(selection));
  }
  if (options.compare_schema) {
    PGS_TRY(compare_schemas(src_conn, tgt_conn, options, report));
    PGS_TRY(drop_same_view_queries(target, report.differences));
    auto warnings = settings_warnings(source, target);
    report.differences.insert(report.differences.end(), warnings.begin(), warnings.end());
  }
  if (options.compare_data) {
    fault::hit("verify:data");
    PGS_TRY(compare_tables(src, tgt, src_conn, tgt_conn, options, report));
  }
  if (options.skip_unsupported) PGS_TRY(mark_known_skips(src_conn, report.differences));
  for (const auto& file : options.query_files) {
    PGS_TRY(compare_query_file(src_conn, tgt_conn, file, report.queries, report.differences));
  }
  report.seconds = since(start);
  log::info("verify: {} differences, {} warnings in {:.1f}s", report.difference_count(),
            report.warning_count(), report.seconds);
  return report;
}

Status report_status(const VerifyReport& report) {
  if (report.passed()) return ok_status();
  if (report.difference_count() == 0) {
    std::string list;
    for (const auto& d : report.differences) {
      if (d.severity != Severity::kKnownSkip) continue;
      list += (list.empty() ? "" : "; ") + d.kind + " " + d.object;
    }
    return make_error(ErrorCode::kWarnings,
                      fmt::format("verify is incomplete: no difference, but {} object(s) of the "
                                  "source were left out by --skip-unsupported (known skips): {}",
                                  report.known_skip_count(), list),
                      "these need a superuser on the target (or depend on what does): create "
                      "them through the provider, or accept that the target does without them");
  }
  return make_error(ErrorCode::kVerifyFailed,
                    fmt::format("verify found {} differences between source and target",
                                report.difference_count()),
                    "see the report for each difference");
}

}  // namespace pgshuttle::verify
