// Verify: proves that two databases hold the same schema and data, and says
// exactly where they differ.
//
// Each side is read in one snapshot (exported by a coordinator connection
// and imported by every worker) by sessions whose output settings are pinned
// (session.h), so server defaults such as TimeZone or DateStyle never cause
// false differences. Three comparisons make up a run:
//   - schema: every catalog object kind, keyed by name (schema_compare.h);
//   - data: exact row count and a 64-bit (or 128) order-independent checksum per
//     table, in key-range chunks bisected down to rows (data_compare.h,
//     table_plan.h);
//   - queries: user queries from --query-file (query_compare.h).
// Differences are values in the VerifyReport; only failures to run at all
// (connection refused, permission denied) are errors.
//
// Thread safety: verify_databases() starts its own worker threads and owns
// every connection it opens; call it from any one thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/result.h"
#include "ddl/object_filter.h"
#include "pg/conninfo.h"

namespace pgshuttle::verify {

struct VerifyOptions {
  int jobs = 4;  // parallel workers per side
  bool compare_schema = true;
  bool compare_data = true;
  bool compare_owners = false;  // owner properties ignored unless set
  bool compare_acls = false;    // ACL properties ignored unless set
  // Rows per key-range chunk; 0 = auto (auto_chunk_rows()).
  int64_t chunk_rows = 0;
  int64_t row_fetch_rows = 5000;  // chunks at most this big are compared row by row
  int max_row_differences = 100;  // per table; further ones are only counted
  std::vector<std::string> query_files;
  // Hash rows with md5 even when both servers agree on hashtextextended().
  bool md5_row_hash = false;
  // 64 (one hashtextextended per row) or 128 (two seeds); md5 is always 128.
  int hash_bits = 64;
  // The target was loaded with --skip-unsupported: what the source holds
  // that only a superuser may create, and what depends on it, is reported
  // as a known skip when missing on the target (never as a pass).
  bool skip_unsupported = false;
  // --include / --exclude: only the tables, views and sequences pg_dump
  // selects with these patterns on the source, the objects that belong to
  // them, and the other objects of schemas selected as a whole. Objects of
  // the whole database (extensions, settings, large objects, publications,
  // ...) are not compared then: a dump of a part leaves them out too.
  ddl::ObjectFilter filter;
  std::string pg_bindir;  // where pg::find_tools looks first for pg_dump (the selection)
  // What `filter` selects; verify_databases() sets it.
  std::shared_ptr<const ddl::Selection> selection;
};

// Chunk size when none is given: only as many chunks as balancing the work
// over `jobs` workers needs, and never under a million rows. A chunk is a
// key-range scan, which costs more per row than reading a whole table
// (measured at bench scale 4, --jobs 2: 29.2 s with 100,000-row chunks,
// 17.3 s with 1,000,000, 14.5 s with one chunk per table).
int64_t auto_chunk_rows(int64_t total_rows, int jobs);

// kKnownSkip: an object missing on the target that --skip-unsupported left
// out on purpose (only a superuser may create it, or it depends on such an
// object). It is no difference, but the verify does not pass with it.
enum class Severity { kDifference, kWarning, kKnownSkip };
// "difference", "warning", "known skip".
std::string_view severity_name(Severity severity);

// One finding: "index shop.orders_customer_idx: missing on target".
struct Difference {
  Severity severity = Severity::kDifference;
  std::string kind;      // "index", "column", "row", "table data", "query", ...
  std::string object;    // "shop.orders_customer_idx", "shop.orders id=42"
  std::string property;  // "definition", "last_value", ... empty for missing/extra
  std::string problem;   // "missing on target", "extra on target", "changed"
  std::string source_value;
  std::string target_value;
};

enum class TableStatus { kMatch, kDiffer, kMissing, kExtra, kSkipped };
std::string_view table_status_name(TableStatus status);

struct TableResult {
  std::string schema;
  std::string name;
  TableStatus status = TableStatus::kMatch;
  int64_t source_rows = 0;
  int64_t target_rows = 0;
  int chunks = 0;
  bool has_key = false;
  double seconds = 0;  // wall time spent on this table, summed over chunks
  int64_t missing_rows = 0;
  int64_t extra_rows = 0;
  int64_t changed_rows = 0;
  std::string note;  // why skipped, or which columns were compared
  std::string qualified() const { return schema + "." + name; }
};

struct QueryResultSummary {
  std::string name;  // "FILE:N"
  std::string sql;
  bool match = true;
  bool ordered = false;
  int64_t source_rows = 0;
  int64_t target_rows = 0;
  double seconds = 0;
};

struct VerifyReport {
  std::string source;  // URIs without passwords
  std::string target;
  std::string started_at;  // ISO 8601 UTC
  double seconds = 0;
  double schema_seconds = 0;
  double data_seconds = 0;
  int schema_objects = 0;  // objects compared (source side)
  std::string row_hash;    // the row hash used for data, e.g. "md5 (128 bits)"
  std::vector<TableResult> tables;
  std::vector<QueryResultSummary> queries;
  std::vector<Difference> differences;  // severity kDifference and kWarning

  int difference_count() const;
  int warning_count() const;
  int known_skip_count() const;
  bool passed() const { return difference_count() == 0 && known_skip_count() == 0; }
  // "PASSED", "FAILED", or "INCOMPLETE" (no difference but known skips).
  std::string_view verdict() const;
};

// Verifies `target` against `source`. Differences are in the report; the
// Result fails only when a side cannot be read.
Result<VerifyReport> verify_databases(const pg::ConnInfo& source, const pg::ConnInfo& target,
                                      const VerifyOptions& options);

// kVerifyFailed with a one-line summary when the report has differences;
// kWarnings naming the known skips when it has only those.
Status report_status(const VerifyReport& report);

}  // namespace pgshuttle::verify
