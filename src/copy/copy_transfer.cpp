#include "copy/copy_transfer.h"

#include <fmt/format.h>
#include <signal.h>
#include <unistd.h>

#include "copy/copy_state.h"
#include "copy/data_only.h"
#include "core/log.h"
#include "core/redact.h"
#include "pg/connection.h"
#include "target/target_objects.h"

namespace pgshuttle::copy {
namespace {

bool finished(state::TransferStatus s) {
  return s == state::TransferStatus::kCompleted || s == state::TransferStatus::kWarnings;
}

// A Running transfer whose process still exists (not this one).
bool running_elsewhere(const state::Transfer& t) {
  if (t.status != state::TransferStatus::kRunning || !t.pid) return false;
  if (*t.pid == static_cast<int64_t>(::getpid())) return false;
  return ::kill(static_cast<pid_t>(*t.pid), 0) == 0;
}

Error busy(const state::Transfer& t) {
  return make_error(
      ErrorCode::kBlocked,
      fmt::format("copy {} of these databases is still running (pid {})", t.id, t.pid.value_or(0)),
      fmt::format("wait for it to end, or stop it with: pgshuttle cancel {}", t.id));
}

// The target database's identity (target::database_identity).
Result<std::string> target_identity(const pg::ConnInfo& target) {
  PGS_ASSIGN_OR_RETURN(auto conn, pg::Connection::connect(target, pg::Side::kTarget));
  return target::database_identity(conn);
}

// Whether run `id` wrote into the database `target` is now; a run from
// before the identity was recorded counts as the same.
Result<bool> same_target(const std::string& dir, const std::string& id,
                         const std::string& identity) {
  PGS_ASSIGN_OR_RETURN(auto state, CopyState::open(dir, id));
  std::string recorded = state->get_meta("target_database_oid");
  return recorded.empty() || recorded == identity;
}

Result<bool> has_progress(const std::string& dir, const std::string& id) {
  PGS_ASSIGN_OR_RETURN(auto state, CopyState::open(dir, id));
  return state->has_progress();
}

// A new --data-only run reads the target's foreign keys as they are now: an
// unfinished data-only run into the same target that took keys off and has
// not added them back would have them forgotten. Refuse, naming it.
Status refuse_if_keys_off(state::TransferRegistry& registry, const std::string& dir,
                          const std::string& target) {
  PGS_ASSIGN_OR_RETURN(auto all, registry.list());
  for (const auto& t : all) {
    if (t.kind != state::TransferKind::kCopy || t.destination != target || finished(t.status)) {
      continue;
    }
    PGS_ASSIGN_OR_RETURN(auto state, CopyState::open(dir, t.id));
    PGS_ASSIGN_OR_RETURN(int off, keys_still_off(*state));
    if (off == 0) continue;
    return make_error(
        ErrorCode::kBlocked,
        fmt::format("copy {} ({}) took {} foreign keys of this target off for a --data-only "
                    "load and did not add them back; a new run would not know them",
                    t.id, t.status_text(), off),
        fmt::format("finish it first: pgshuttle copy --data-only --resume {} (with "
                    "--allow-inconsistent-resume if its snapshot is gone), then run again",
                    t.id));
  }
  return ok_status();
}

}  // namespace

Result<std::unique_ptr<CopyTransfer>> CopyTransfer::open(const CopyOptions& o) {
  std::unique_ptr<CopyTransfer> t(new CopyTransfer(state::default_state_dir(o.state_dir)));
  PGS_TRY(t->choose(o));
  return t;
}

Result<std::optional<std::string>> CopyTransfer::unverified(const CopyOptions& o) {
  std::optional<std::string> none;
  if (o.clean || !o.resume_id.empty()) return none;
  std::string dir = state::default_state_dir(o.state_dir);
  PGS_ASSIGN_OR_RETURN(auto registry, state::TransferRegistry::open(dir));
  PGS_ASSIGN_OR_RETURN(auto all, registry.list());
  std::string source = redact(o.source.to_uri(false)), target = redact(o.target.to_uri(false));
  for (const auto& t : all) {
    if (t.kind != state::TransferKind::kCopy || t.source != source || t.destination != target) {
      continue;
    }
    if (!finished(t.status)) return none;
    PGS_ASSIGN_OR_RETURN(auto state, CopyState::open(dir, t.id));
    // Only a closing verify that started and never reached a result; a
    // copy made without one (--no-verify, migrate --direct) is not pending.
    if (state->get_meta("complete") != "1" || state->get_meta("verified") != "0") return none;
    return std::optional<std::string>(t.id);
  }
  return none;
}

Status CopyTransfer::record_verify_started(const CopyOptions& o, const std::string& id) {
  PGS_ASSIGN_OR_RETURN(auto state, CopyState::open(state::default_state_dir(o.state_dir), id));
  return state->set_meta("verified", "0");
}

Status CopyTransfer::record_verified(const CopyOptions& o, const std::string& id) {
  PGS_ASSIGN_OR_RETURN(auto state, CopyState::open(state::default_state_dir(o.state_dir), id));
  return state->set_meta("verified", "1");
}

Result<CopyState::Noted> CopyTransfer::noted(const CopyOptions& o, const std::string& id) {
  PGS_ASSIGN_OR_RETURN(auto state, CopyState::open(state::default_state_dir(o.state_dir), id));
  return state->noted();
}

Status CopyTransfer::choose(const CopyOptions& o) {
  PGS_ASSIGN_OR_RETURN(std::string resumed, continued_id(o));
  continued_ = !resumed.empty();
  if (continued_) {
    PGS_ASSIGN_OR_RETURN(run_, state::TransferRun::resume(dir_, resumed));
  } else {
    PGS_ASSIGN_OR_RETURN(
        run_, state::TransferRun::begin(dir_, state::TransferKind::kCopy, o.source.to_uri(false),
                                        o.target.to_uri(false)));
    // The database this run writes into, so that a resume never continues
    // it in a database created again under the same name.
    PGS_ASSIGN_OR_RETURN(std::string identity, target_identity(o.target));
    PGS_ASSIGN_OR_RETURN(auto state, CopyState::open(dir_, run_->id()));
    PGS_TRY(state->set_meta("target_database_oid", identity));
  }
  return ok_status();
}

Result<std::string> CopyTransfer::continued_id(const CopyOptions& o) {
  PGS_ASSIGN_OR_RETURN(auto registry, state::TransferRegistry::open(dir_));
  std::string source = o.source.to_uri(false), target = o.target.to_uri(false);
  if (!o.resume_id.empty()) {
    PGS_ASSIGN_OR_RETURN(auto t, registry.get(o.resume_id));
    if (t.kind != state::TransferKind::kCopy) {
      return make_error(ErrorCode::kUsage, o.resume_id + " is not a copy",
                        "give a copy's id (cNNN; see pgshuttle transfers)");
    }
    if (finished(t.status)) {
      return make_error(ErrorCode::kUsage, fmt::format("copy {} is {}", t.id, t.status_text()),
                        "there is nothing to resume; start a new copy");
    }
    if (running_elsewhere(t)) return busy(t);
    PGS_ASSIGN_OR_RETURN(bool kept, CopyState::exists(dir_, t.id));
    if (!kept) {
      return make_error(ErrorCode::kNotFound,
                        fmt::format("copy {} left no resume state under {}", t.id, dir_),
                        "use the same --state-dir as that run, or start a new copy");
    }
    PGS_ASSIGN_OR_RETURN(std::string identity, target_identity(o.target));
    PGS_ASSIGN_OR_RETURN(bool same, same_target(dir_, t.id, identity));
    if (!same) {
      return make_error(ErrorCode::kUsage,
                        fmt::format("copy {} wrote into another database of this name: the "
                                    "target was dropped and created again since",
                                    t.id),
                        "start a new copy: the same command without --resume");
    }
    log::info("continuing copy {}: it {}", t.id, state::how_it_stopped(t));
    return t.id;
  }
  PGS_ASSIGN_OR_RETURN(auto all, registry.list());
  // --clean replaces the target: a fresh run, unless --resume names one.
  if (o.clean) all.clear();
  for (const auto& t : all) {
    if (t.kind != state::TransferKind::kCopy || t.source != redact(source) ||
        t.destination != redact(target)) {
      continue;
    }
    if (finished(t.status)) break;  // the newest run of this pair ended: a new one
    if (running_elsewhere(t)) return busy(t);
    PGS_ASSIGN_OR_RETURN(bool progressed, has_progress(dir_, t.id));
    if (progressed) {
      PGS_ASSIGN_OR_RETURN(std::string identity, target_identity(o.target));
      PGS_ASSIGN_OR_RETURN(bool same, same_target(dir_, t.id, identity));
      if (!same) {
        log::info(
            "copy {} (it {}) wrote into another database of this name (the target was "
            "created again since): starting a new copy",
            t.id, state::how_it_stopped(t));
        break;
      }
      log::info("continuing copy {} of these databases: it {}", t.id, state::how_it_stopped(t));
      return t.id;
    }
    break;
  }
  if (o.data_only) PGS_TRY(refuse_if_keys_off(registry, dir_, redact(target)));
  return std::string();
}

void CopyTransfer::set_bytes(uint64_t bytes, uint64_t total) { run_->set_progress(bytes, total); }

void CopyTransfer::finish(const Status& result) { run_->finish(result); }

}  // namespace pgshuttle::copy
