#include "restore/restore_plan.h"

#include <algorithm>
#include <map>

#include "ddl/ddl_script.h"

namespace pgshuttle::restore {
namespace {

using archive::Section;
using archive::TocEntry;

enum class Phase { kSkip, kPre, kJob, kTail };

// Post-data statements we run on our own sessions: their SQL is complete in
// the TOC and needs no owner or privilege handling.
bool native_post(const std::string& desc) {
  return desc == "INDEX" || desc == "CONSTRAINT" || desc == "FK CONSTRAINT" || desc == "TRIGGER" ||
         desc == "RULE" || desc == "INDEX ATTACH" || desc == "MATERIALIZED VIEW DATA" ||
         desc == "POLICY" || desc == "ROW SECURITY";
}

bool is_relation(const TocEntry& e) { return e.desc == "TABLE" || e.desc == "MATERIALIZED VIEW"; }

bool has_data_block(const TocEntry& e) {
  return e.had_dumper && (e.desc == "TABLE DATA" || e.desc == "BLOBS");
}

// The size of each entry's data block: the distance to the next block.
std::map<int, uint64_t> block_sizes(const archive::ArchiveToc& toc, uint64_t archive_size) {
  std::vector<std::pair<uint64_t, int>> starts;
  for (const auto& e : toc.entries) {
    if (e.data_state == archive::OffsetState::kSet) starts.emplace_back(e.data_offset, e.dump_id);
  }
  std::sort(starts.begin(), starts.end());
  std::map<int, uint64_t> sizes;
  for (size_t i = 0; i < starts.size(); ++i) {
    uint64_t end = i + 1 < starts.size() ? starts[i + 1].first : archive_size;
    sizes[starts[i].second] = end > starts[i].first ? end - starts[i].first : 0;
  }
  return sizes;
}

class Planner {
 public:
  Planner(const archive::ArchiveToc& toc, const std::set<int>& excluded, bool keep_acl)
      : toc_(toc), excluded_(excluded), keep_acl_(keep_acl) {}

  RestorePlan plan(uint64_t archive_size);

 private:
  Phase phase_of(const TocEntry& e) const;
  Phase dependency_phase(const TocEntry& e) const;
  void add_job(const TocEntry& e, const std::map<int, uint64_t>& sizes);

  const archive::ArchiveToc& toc_;
  const std::set<int>& excluded_;
  bool keep_acl_;
  std::map<int, Phase> phase_;
  std::map<int, size_t> job_of_;                  // dump id -> job index
  std::map<int, std::vector<size_t>> data_jobs_;  // relation dump id -> its data jobs
  std::vector<size_t> table_data_jobs_;
  RestorePlan plan_;
};

Phase Planner::dependency_phase(const TocEntry& e) const {
  Phase max = Phase::kPre;
  for (int d : e.dependencies) {
    auto it = phase_.find(d);
    if (it != phase_.end() && it->second > max) max = it->second;
  }
  return max;
}

Phase Planner::phase_of(const TocEntry& e) const {
  if (excluded_.count(e.dump_id) || !archive::listed_by_pg_restore(e)) return Phase::kSkip;
  if (has_data_block(e)) return Phase::kJob;
  Phase deps = dependency_phase(e);
  switch (e.section) {
    case Section::kPreData:
      return Phase::kPre;
    case Section::kData:
      return Phase::kJob;  // SEQUENCE SET
    case Section::kPostData:
      return native_post(e.desc) && deps != Phase::kTail ? Phase::kJob : Phase::kTail;
    case Section::kNone:
      break;
  }
  // Comments, ACLs and security labels follow the object they belong to,
  // and are left out with it.
  for (int d : e.dependencies) {
    if (excluded_.count(d)) return Phase::kSkip;
  }
  if (deps == Phase::kPre) return Phase::kPre;
  if (e.desc == "ACL" && !keep_acl_) return Phase::kSkip;
  return e.desc == "COMMENT" && deps == Phase::kJob ? Phase::kJob : Phase::kTail;
}

void Planner::add_job(const TocEntry& e, const std::map<int, uint64_t>& sizes) {
  RestoreJob job;
  job.entry = &e;
  job.label = entry_label(e);
  if (has_data_block(e)) {
    job.kind = e.desc == "BLOBS" ? JobKind::kLargeObjects : JobKind::kTableData;
    auto it = sizes.find(e.dump_id);
    job.data_bytes = it == sizes.end() ? 0 : it->second;
    plan_.data_bytes += job.data_bytes;
  }
  std::set<size_t> waits;
  for (int d : e.dependencies) {
    if (auto j = job_of_.find(d); j != job_of_.end()) waits.insert(j->second);
    if (job.kind != JobKind::kStatement) continue;
    if (auto t = data_jobs_.find(d); t != data_jobs_.end())
      waits.insert(t->second.begin(), t->second.end());
    const TocEntry* dep = toc_.find(d);
    if (dep && is_relation(*dep)) job.tables.push_back(d);
  }
  if (e.desc == "MATERIALIZED VIEW DATA") {
    // A refresh reads other tables: let every table load first.
    waits.insert(table_data_jobs_.begin(), table_data_jobs_.end());
  }
  job.waits_for.assign(waits.begin(), waits.end());
  if (job.kind == JobKind::kStatement) {
    for (size_t w : waits) {
      if (plan_.jobs[w].kind == JobKind::kTableData) job.weight += plan_.jobs[w].data_bytes;
    }
    int cost = ddl::build_cost(e.defn);
    job.slow_build = cost > 1;
    job.weight *= static_cast<uint64_t>(cost);
  }
  job.exclusive = job.kind == JobKind::kStatement && e.desc != "INDEX";
  size_t index = plan_.jobs.size();
  job_of_[e.dump_id] = index;
  if (job.kind == JobKind::kTableData || e.desc == "MATERIALIZED VIEW DATA") {
    for (int d : e.dependencies) {
      const TocEntry* dep = toc_.find(d);
      if (dep && is_relation(*dep)) data_jobs_[d].push_back(index);
    }
  }
  if (job.kind == JobKind::kTableData) {
    table_data_jobs_.push_back(index);
    ++plan_.table_data_jobs;
  }
  plan_.jobs.push_back(std::move(job));
}

RestorePlan Planner::plan(uint64_t archive_size) {
  auto sizes = block_sizes(toc_, archive_size);
  for (const auto& e : toc_.entries) {
    Phase p = phase_of(e);
    phase_[e.dump_id] = p;
    if (p == Phase::kPre) plan_.pre.push_back(e.dump_id);
    if (p == Phase::kTail) plan_.tail.push_back(e.dump_id);
    if (p == Phase::kJob) add_job(e, sizes);
  }
  return std::move(plan_);
}

}  // namespace

std::string entry_label(const archive::TocEntry& e) {
  std::string label = e.desc + " ";
  if (e.namespace_name && !e.namespace_name->empty()) label += *e.namespace_name + ".";
  return label + e.tag;
}

RestorePlan plan_restore(const archive::ArchiveToc& toc, const std::set<int>& excluded,
                         bool keep_acl, uint64_t archive_size) {
  return Planner(toc, excluded, keep_acl).plan(archive_size);
}

std::optional<size_t> critical_load(const RestorePlan& plan) {
  const RestoreJob* slowest = nullptr;
  for (const RestoreJob& j : plan.jobs) {
    if (j.slow_build && (!slowest || j.weight > slowest->weight)) slowest = &j;
  }
  if (slowest == nullptr) return std::nullopt;
  std::optional<size_t> critical;
  for (size_t w : slowest->waits_for) {
    if (plan.jobs[w].kind != JobKind::kTableData) continue;
    if (!critical || plan.jobs[w].data_bytes > plan.jobs[*critical].data_bytes) critical = w;
  }
  return critical;
}

std::vector<size_t> split_loads(RestorePlan& plan, int jobs, uint64_t larger_than) {
  std::vector<size_t> split;
  if (jobs < 2 || larger_than == 0) return split;
  std::optional<size_t> critical = critical_load(plan);
  for (size_t i = 0; i < plan.jobs.size(); ++i) {
    RestoreJob& j = plan.jobs[i];
    if (j.kind != JobKind::kTableData || j.data_bytes < larger_than) continue;
    if (i != critical && j.data_bytes * 2 < plan.data_bytes) continue;
    j.sessions = jobs;
    split.push_back(i);
  }
  return split;
}

}  // namespace pgshuttle::restore
