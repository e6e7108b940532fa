// StepRunner: runs a migration's steps in order, skipping those a previous
// run completed, recording each step's start, end, duration and outcome in
// the MigrationState after every transition, and stopping at the first
// failure.
//
// Thread safety: single-threaded.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "core/result.h"
#include "migrate/migration_state.h"

namespace pgshuttle::migrate {

struct Step {
  std::string name;
  std::string description;  // for --dry-run and logs
  // Does the work; returns a one-line detail for the summary.
  std::function<Result<std::string>()> run;
};

class StepRunner {
 public:
  explicit StepRunner(MigrationState& state) : state_(state) {}

  // Runs `steps`; a completed step is skipped (logged as such). Returns the
  // first failure, with the step's name as context.
  Status run(const std::vector<Step>& steps);

  // Names of steps skipped because an earlier run completed them.
  const std::vector<std::string>& skipped() const { return skipped_; }

 private:
  MigrationState& state_;
  std::vector<std::string> skipped_;
};

}  // namespace pgshuttle::migrate
