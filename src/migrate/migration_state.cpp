#include "migrate/migration_state.h"

#include <openssl/sha.h>

#include <fmt/format.h>
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "core/redact.h"

namespace pgshuttle::migrate {
namespace {

std::string short_hash(const std::string& s) {
  unsigned char md[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(s.data()), s.size(), md);
  std::string out;
  for (int i = 0; i < 8; ++i) out += fmt::format("{:02x}", md[i]);
  return out;
}

StepStatus parse_status(const std::string& s) {
  if (s == "running") return StepStatus::kRunning;
  if (s == "completed") return StepStatus::kCompleted;
  if (s == "failed") return StepStatus::kFailed;
  if (s == "skipped") return StepStatus::kSkipped;
  return StepStatus::kPending;
}

}  // namespace

std::string_view step_status_name(StepStatus s) {
  switch (s) {
    case StepStatus::kPending:
      return "pending";
    case StepStatus::kRunning:
      return "running";
    case StepStatus::kCompleted:
      return "completed";
    case StepStatus::kFailed:
      return "failed";
    case StepStatus::kSkipped:
      return "skipped";
  }
  return "pending";
}

std::string utc_now_iso() {
  std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

Result<MigrationState> MigrationState::open(const std::string& state_dir,
                                            const std::string& identity) {
  MigrationState st;
  std::string hash = short_hash(identity);
  PGS_ASSIGN_OR_RETURN(st.store_, state::RunStore::open(state_dir, "migrate:" + hash));
  st.where_ = fmt::format("{} in {}/transfers.db", st.store_->run(), state_dir);
  PGS_ASSIGN_OR_RETURN(auto saved, st.store_->value("record"));
  std::string legacy = state_dir + "/migrations/" + hash + ".json";
  if (!saved) {
    std::ifstream in(legacy);
    if (!in) return st;
    saved = std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  }
  nlohmann::json j = nlohmann::json::parse(*saved, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return make_error(ErrorCode::kInternal, "the migration record " + st.where_ + " is not valid",
                      "start over with pgshuttle migrate ... --restart");
  }
  PGS_TRY(st.load(j));
  std::error_code ec;
  if (std::filesystem::exists(legacy, ec)) {
    PGS_TRY(st.save());  // moved into the store, then the old file goes
    std::filesystem::remove(legacy, ec);
  }
  return st;
}

Status MigrationState::load(const nlohmann::json& j) {
  resumed_ = true;
  const nlohmann::json& steps = j.contains("steps") ? j["steps"] : nlohmann::json::array();
  try {
    for (const auto& s : steps) {
      StepRecord r;
      r.name = s.value("name", "");
      r.status = parse_status(s.value("status", "pending"));
      r.started_at = s.value("started_at", "");
      r.finished_at = s.value("finished_at", "");
      r.seconds = s.value("seconds", 0.0);
      r.detail = s.value("detail", "");
      steps_.push_back(r);
    }
    if (j.contains("artifacts") && j["artifacts"].is_object()) {
      artifacts_ = j["artifacts"].get<std::map<std::string, std::string>>();
    }
  } catch (const nlohmann::json::exception& e) {
    return make_error(ErrorCode::kInternal,
                      "the migration record " + where_ + " is not valid: " + e.what(),
                      "start over with pgshuttle migrate ... --restart");
  }
  return ok_status();
}

void MigrationState::set_plan(const std::vector<std::string>& step_names) {
  std::vector<StepRecord> planned;
  for (const auto& name : step_names) {
    StepRecord r;
    r.name = name;
    for (const auto& old : steps_) {
      if (old.name == name) r = old;
    }
    // A step that was running when the process died did not complete.
    if (r.status == StepStatus::kRunning) r.status = StepStatus::kPending;
    planned.push_back(r);
  }
  steps_ = std::move(planned);
}

StepRecord& MigrationState::step(const std::string& name) {
  for (auto& s : steps_) {
    if (s.name == name) return s;
  }
  steps_.push_back(StepRecord{name});
  return steps_.back();
}

bool MigrationState::completed(const std::string& name) const {
  for (const auto& s : steps_) {
    if (s.name == name) return s.status == StepStatus::kCompleted;
  }
  return false;
}

bool MigrationState::all_completed() const {
  return !steps_.empty() && std::all_of(steps_.begin(), steps_.end(), [](const StepRecord& s) {
    return s.status == StepStatus::kCompleted;
  });
}

void MigrationState::reset_from(const std::string& name) {
  bool reset = false;
  for (auto& s : steps_) {
    reset = reset || s.name == name;
    if (reset) s = StepRecord{s.name};
  }
}

std::string MigrationState::artifact(const std::string& key) const {
  auto it = artifacts_.find(key);
  return it == artifacts_.end() ? std::string() : it->second;
}

void MigrationState::set_artifact(const std::string& key, const std::string& value) {
  artifacts_[key] = value;
}

nlohmann::json MigrationState::to_json() const {
  nlohmann::json steps = nlohmann::json::array();
  for (const auto& s : steps_) {
    steps.push_back({{"name", s.name},
                     {"status", step_status_name(s.status)},
                     {"started_at", s.started_at},
                     {"finished_at", s.finished_at},
                     {"seconds", s.seconds},
                     {"detail", s.detail}});
  }
  return {{"steps", steps}, {"artifacts", artifacts_}};
}

Status MigrationState::save() const {
  return store_->set_value("record", redact(to_json().dump()));
}

Status MigrationState::remove() const { return store_->forget(); }

}  // namespace pgshuttle::migrate
