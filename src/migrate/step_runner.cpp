#include "migrate/step_runner.h"

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>

#include "core/cancel.h"
#include "core/fault.h"
#include "core/human.h"
#include "core/log.h"

namespace pgshuttle::migrate {

Status StepRunner::run(const std::vector<Step>& steps) {
  std::vector<std::string> names;
  for (const auto& s : steps) names.push_back(s.name);
  state_.set_plan(names);
  PGS_TRY(state_.save());
  for (const auto& step : steps) {
    if (state_.completed(step.name)) {
      log::info("step {}: already completed by an earlier run, skipped", step.name);
      skipped_.push_back(step.name);
      continue;
    }
    if (cancelled())
      return make_error(ErrorCode::kCancelled, "migration cancelled before " + step.name);
    StepRecord& rec = state_.step(step.name);
    rec.status = StepStatus::kRunning;
    rec.started_at = utc_now_iso();
    PGS_TRY(state_.save());
    log::info("step {}: {}", step.name, step.description);
    auto start = std::chrono::steady_clock::now();
    Result<std::string> result = step.run();
    StepRecord& done = state_.step(step.name);
    done.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    done.finished_at = utc_now_iso();
    if (!result.ok()) {
      done.status = StepStatus::kFailed;
      done.detail = result.error().message;
      PGS_TRY(state_.save());
      return result.error().with_context("step " + step.name);
    }
    done.status = StepStatus::kCompleted;
    done.detail = *result;
    PGS_TRY(state_.save());
    // A test dies here, right after a step is recorded, as `kill -9` would.
    fault::hit("migrate:after:" + step.name);
    log::info("step {}: done in {}{}", step.name,
              human_duration(std::chrono::duration<double>(done.seconds)),
              done.detail.empty() ? "" : " — " + done.detail);
  }
  return ok_status();
}

}  // namespace pgshuttle::migrate
