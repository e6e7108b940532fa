// CopyWorkers: the overlap scheduler. --jobs threads take units from one
// queue: a table (or one ctid range of a split table) to stream; once all
// of a table's rows are loaded, each of its index builds (post_data_plan.h),
// which go to the front of the queue so index builds overlap with the
// copies of other tables and with each other; once all of a table's builds
// are done, its finish unit (attach constraints, triggers, ANALYZE). A
// linked unit (a foreign key) starts once both its tables are finished.
// Free units (foreign key validations) wait for nothing. The large objects are
// one more unit. A unit that fails with a lost connection is retried with
// fresh sessions and backoff, up to a bounded number of attempts.
//
// Thread safety: run() is called once from one thread; it owns its threads.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "copy/copy.h"
#include "copy/copy_state.h"
#include "copy/post_data_plan.h"
#include "copy/table_stream.h"
#include "core/progress.h"
#include "ddl/ddl_apply.h"
#include "ddl/ddl_script.h"

namespace pgshuttle::copy {

struct WorkPlan {
  std::vector<TableInfo> tables;
  std::map<std::string, TablePost> post_by_table;  // by qualified name
  std::vector<DdlUnit> free_units;                 // wait for nothing
  std::vector<LinkedUnit> linked;                  // wait for two finished tables
  std::string preamble;         // SETs from the post-data script, for index sessions
  std::string client_encoding;  // the source database's, on every session
  bool copy_data = true;
  bool copy_large_objects = true;
  // How DDL failures are judged (a resumed run tolerates "already exists";
  // --skip-unsupported skips what the target role may not create).
  ddl::ApplyPolicy policy;
};

struct WorkTotals {
  std::atomic<int64_t> rows{0};
  std::atomic<uint64_t> bytes{0};
  std::atomic<int64_t> ddl_items{0};
  std::atomic<int64_t> retries{0};
  std::atomic<int64_t> large_objects{0};
  // For the progress line (show_progress): the units of this run, data
  // (table copies and the large objects) and post-data (index builds,
  // constraints, foreign keys), and the source size of the table data,
  // in pg_relation_size bytes, planned and settled by finished copies.
  std::atomic<int> data_units{0}, data_units_done{0};
  std::atomic<int> post_units{0}, post_units_done{0};
  std::atomic<uint64_t> data_planned{0}, data_settled{0};
  std::atomic<uint64_t> bytes_settled{0};  // the COPY bytes of finished copies
};

// Runs every unit of `plan`; returns the first error after stopping workers.
Status run_workers(const CopyOptions& options, const std::string& snapshot, const WorkPlan& plan,
                   CopyState& state, WorkTotals& totals);

// Shows the run's state on `progress`: the data phase while copies remain,
// counted in the tables' on-disk size (a finished copy counts its planned
// share, a running one its COPY bytes up to that share: COPY's bytes are
// not the table's size, so the % is the share of the data settled), then
// the post-data units done out of all.
void show_progress(Progress& progress, const WorkTotals& totals);

// Opens a pinned source session reading `snapshot` (REPEATABLE READ, read
// only).
Result<pg::Connection> open_snapshot_session(const pg::ConnInfo& source,
                                             const std::string& snapshot,
                                             const std::string& client_encoding);

}  // namespace pgshuttle::copy
