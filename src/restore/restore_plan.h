// RestorePlan: how a custom-format archive whose data offsets are present is
// restored in parallel from ranged reads, worked out from its TOC alone.
//
// Three phases:
//   1. `pre`: the schema (pre-data entries and the comments, ACLs and large
//      object creations that hang off them), run by one `pg_restore -L` pass
//      over a local copy of the archive's header and TOC (a few hundred KB;
//      those entries carry their SQL in the TOC, so no data block is read);
//   2. `jobs`: each table's data block streamed into COPY, the large objects,
//      sequence values, and the post-data statements we run ourselves
//      (indexes, constraints, triggers, rules, policies, matview refreshes and
//      their comments). A job waits for the jobs it depends on; an entry that
//      depends on a table waits for that table's data, as pg_restore -j does,
//      so a table's indexes build while other tables are still loading;
//   3. `tail`: whatever post-data we do not run ourselves (publications,
//      subscriptions, ACLs of post-data objects with --keep-acl, and anything
//      that depends on those), one more `pg_restore -L` pass at the end.
//
// Thread safety: plain values and a pure function.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "archive/archive_toc.h"

namespace pgshuttle::restore {

enum class JobKind { kTableData, kLargeObjects, kStatement };

struct RestoreJob {
  const archive::TocEntry* entry = nullptr;
  JobKind kind = JobKind::kStatement;
  std::vector<size_t> waits_for;  // indexes into RestorePlan::jobs
  // Tables (dump ids) the statement locks; `exclusive` unless it only needs
  // the SHARE lock of CREATE INDEX. Two jobs that share a table, one of them
  // exclusive, never run at once.
  std::vector<int> tables;
  bool exclusive = false;
  uint64_t data_bytes = 0;  // size of the data block in the archive
  // A guess at how long a statement runs, to start the longest first: the
  // data of the tables it waits for times ddl::build_cost of its SQL.
  uint64_t weight = 0;
  bool slow_build = false;  // a GiST/GIN/SP-GiST index or an exclusion constraint
  std::string label;        // "TABLE DATA public.orders"
  // Target sessions a table load uses at once (split_loads): its rows are
  // read once and dealt out in batches, one COPY per session.
  int sessions = 1;
};

struct RestorePlan {
  std::vector<int> pre;  // dump ids for the first pg_restore pass, archive order
  std::vector<RestoreJob> jobs;
  std::vector<int> tail;  // dump ids for the last pg_restore pass
  uint64_t data_bytes = 0;
  int table_data_jobs = 0;
};

// `excluded`: dump ids that must not be restored (skipped for a managed
// target). ACL entries are left to pg_restore's --no-acl unless keep_acl.
// `archive_size` bounds the last data block.
RestorePlan plan_restore(const archive::ArchiveToc& toc, const std::set<int>& excluded,
                         bool keep_acl, uint64_t archive_size);

// "TABLE DATA public.orders", "INDEX public.orders_pkey", ...
std::string entry_label(const archive::TocEntry& entry);

// The critical load: the largest table load that the heaviest slow build
// (GiST, GIN, SP-GiST, exclusion) waits for. That build runs on one core
// after the load, so this chain is usually the restore's longest.
std::optional<size_t> critical_load(const RestorePlan& plan);

// Splits loads across `jobs` sessions where that shortens the restore's
// longest chain: the critical load, and any table holding half of all the
// data or more, when its data block is at least `larger_than` bytes (0:
// never). Returns the indexes of the split jobs.
std::vector<size_t> split_loads(RestorePlan& plan, int jobs, uint64_t larger_than);

}  // namespace pgshuttle::restore
