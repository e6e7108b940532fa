// MigrationState: the durable record of one `pgshuttle migrate` run — which
// steps completed, when, and what they produced (the backup's key, transfer
// ids) — so that a re-run or `--resume` continues after the last completed
// step instead of redoing it.
//
// The record lives in the state database (state::RunStore, run
// "migrate:<hash of the run's identity: source, target, route>") as one JSON
// value, replaced in one write after every step, so a kill at any moment
// leaves the previous consistent record. A record an older pgshuttle kept
// as migrations/<hash>.json is moved into the store on open. It never
// holds a password: connection strings are stored redacted and only used
// for display.
//
// Thread safety: one writer (the migrate command) per record.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "state/run_store.h"

namespace pgshuttle::migrate {

enum class StepStatus { kPending, kRunning, kCompleted, kFailed, kSkipped };
std::string_view step_status_name(StepStatus s);

struct StepRecord {
  std::string name;
  StepStatus status = StepStatus::kPending;
  std::string started_at, finished_at;  // ISO 8601 UTC
  double seconds = 0;
  std::string detail;  // one line for the summary
};

class MigrationState {
 public:
  // Loads the record for `identity` from `state_dir`, or starts a new one.
  static Result<MigrationState> open(const std::string& state_dir, const std::string& identity);

  // Where the record is, for messages: "migrate:9f2c… in /…/transfers.db".
  const std::string& path() const { return where_; }
  bool is_resumed() const { return resumed_; }

  // Steps in plan order; a new plan keeps the status of steps already recorded.
  void set_plan(const std::vector<std::string>& step_names);
  const std::vector<StepRecord>& steps() const { return steps_; }
  StepRecord& step(const std::string& name);
  bool completed(const std::string& name) const;
  // True when every planned step completed (a finished migration).
  bool all_completed() const;
  // Marks `name` and every step after it pending again: their results no
  // longer hold (the source was writable since they ran).
  void reset_from(const std::string& name);

  // Values produced by steps that later steps (or a resumed run) need.
  std::string artifact(const std::string& key) const;
  void set_artifact(const std::string& key, const std::string& value);

  // Writes the record atomically.
  Status save() const;
  // Removes the record (after --restart, or when the user asks).
  Status remove() const;

  nlohmann::json to_json() const;

 private:
  Status load(const nlohmann::json& record);

  std::unique_ptr<state::RunStore> store_;
  std::string where_;
  bool resumed_ = false;
  std::vector<StepRecord> steps_;
  std::map<std::string, std::string> artifacts_;
};

// Current UTC time as 2026-11-24T08:30:00Z.
std::string utc_now_iso();

}  // namespace pgshuttle::migrate
