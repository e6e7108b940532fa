#include "copy/copy_state.h"

#include <algorithm>

#include "core/fault.h"

namespace pgshuttle::copy {

Result<std::unique_ptr<CopyState>> CopyState::open(const std::string& state_dir,
                                                   const std::string& id) {
  std::unique_ptr<CopyState> s(new CopyState());
  s->id_ = id;
  PGS_ASSIGN_OR_RETURN(s->store_, state::RunStore::open(state_dir, "copy:" + id));
  PGS_TRY(s->store_->import_legacy_file(state_dir + "/copy-" + id + ".sqlite"));
  PGS_ASSIGN_OR_RETURN(s->done_, s->store_->units());
  PGS_ASSIGN_OR_RETURN(s->meta_, s->store_->values());
  return s;
}

Result<bool> CopyState::exists(const std::string& state_dir, const std::string& id) {
  PGS_ASSIGN_OR_RETURN(auto state, open(state_dir, id));
  return !state->done_.empty() || !state->meta_.empty();
}

bool CopyState::is_done(const std::string& unit) {
  std::lock_guard lock(mutex_);
  return done_.count(unit) > 0;
}

Status CopyState::mark_done(const std::string& unit) {
  // A test's kill here leaves the unit's work committed but not recorded:
  // the resumed run redoes it.
  fault::hit("copy:record:" + unit);
  {
    std::lock_guard lock(mutex_);
    PGS_TRY(store_->mark_done(unit));
    done_.insert(unit);
  }
  fault::hit("copy:done:" + unit);
  return ok_status();
}

Status CopyState::forget_prefix(const std::string& prefix) {
  std::lock_guard lock(mutex_);
  PGS_TRY(store_->forget_prefix(prefix));
  std::erase_if(done_,
                [&](const std::string& u) { return u.compare(0, prefix.size(), prefix) == 0; });
  return ok_status();
}

bool CopyState::has_progress() {
  std::lock_guard lock(mutex_);
  return !done_.empty();
}

std::string CopyState::get_meta(const std::string& key) {
  std::lock_guard lock(mutex_);
  auto it = meta_.find(key);
  return it == meta_.end() ? std::string() : it->second;
}

Status CopyState::set_meta(const std::string& key, const std::string& value) {
  std::lock_guard lock(mutex_);
  PGS_TRY(store_->set_value(key, value));
  meta_[key] = value;
  return ok_status();
}

namespace {
constexpr std::string_view kWarnedPrefix = "warned:";
constexpr std::string_view kSkippedPrefix = "skipped:";
}  // namespace

Status CopyState::note(const std::string& label, Outcome outcome) {
  std::string_view prefix = outcome == Outcome::kSkipped ? kSkippedPrefix : kWarnedPrefix;
  return set_meta(std::string(prefix) + label, "1");
}

CopyState::Noted CopyState::noted() {
  std::lock_guard lock(mutex_);
  Noted n;
  // What a pgshuttle before these notes kept of a schema step it skipped.
  if (auto legacy = meta_.find("skipped_unsupported"); legacy != meta_.end()) {
    size_t start = 0;
    for (size_t end; (end = legacy->second.find('\n', start)) != std::string::npos;
         start = end + 1) {
      std::string label = legacy->second.substr(start, end - start);
      if (!label.empty() && !meta_.count(std::string(kSkippedPrefix) + label)) {
        n.skipped.push_back(label);
        ++n.warnings;
      }
    }
  }
  for (const auto& [key, value] : meta_) {
    if (key.starts_with(kSkippedPrefix)) {
      n.skipped.push_back(key.substr(kSkippedPrefix.size()));
      ++n.warnings;
    } else if (key.starts_with(kWarnedPrefix)) {
      ++n.warnings;
    }
  }
  std::sort(n.skipped.begin(), n.skipped.end());
  return n;
}

}  // namespace pgshuttle::copy
