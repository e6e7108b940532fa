#include "core/progress.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>

#include "core/human.h"
#include "core/log.h"

namespace pgshuttle {
namespace {

using Clock = std::chrono::steady_clock;

std::atomic<bool> g_quiet{false};

// What each field is worth when the line must be shortened: the phase and
// the amount stay longest, the note goes first.
constexpr int kPhase = 100, kAmount = 90, kPercent = 80, kItems = 85, kEta = 60, kElapsed = 50,
              kTotal = 40, kRate = 30, kNote = 10;

std::string amount(uint64_t n, ProgressUnit unit) {
  return unit == ProgressUnit::kBytes ? human_bytes(n) : fmt::format("{} rows", n);
}

std::string rate_text(double per_second, ProgressUnit unit) {
  return unit == ProgressUnit::kBytes ? fmt::format("{}/s", human_bytes(uint64_t(per_second)))
                                      : fmt::format("{:.0f} rows/s", per_second);
}

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

}  // namespace

void Progress::set_quiet(bool quiet) { g_quiet = quiet; }

Progress::Progress(std::string label, ProgressUnit unit, uint64_t total)
    : label_(std::move(label)),
      unit_(unit),
      total_(total),
      start_(Clock::now()),
      phase_start_(start_),
      last_render_(start_),
      tty_(isatty(STDERR_FILENO) && !g_quiet) {
  if (tty_) ticker_ = std::thread([this] { tick(); });
}

Progress::~Progress() {
  // Not finished (an error ends the work): no final line claims an amount.
  if (!stop()) return;
  std::lock_guard render(render_mutex_);
  if (tty_) StatusLine::standard().clear();
}

bool Progress::stop() {
  {
    std::lock_guard lock(state_mutex_);
    if (finished_) return false;
    finished_ = true;
  }
  wake_.notify_all();
  if (ticker_.joinable()) ticker_.join();
  return true;
}

void Progress::tick() {
  std::unique_lock lock(state_mutex_);
  while (!finished_) {
    wake_.wait_for(lock, std::chrono::milliseconds(250));
    if (finished_) break;
    lock.unlock();
    maybe_render(false);
    lock.lock();
  }
}

void Progress::add(uint64_t n) {
  done_ += n;
  maybe_render(false);
}

void Progress::set_done(uint64_t n) {
  done_ = n;
  maybe_render(false);
}

void Progress::set_phase(std::string phase, uint64_t items_total) {
  {
    std::lock_guard lock(state_mutex_);
    if (phase == phase_) return;
    phase_ = std::move(phase);
    phase_start_ = Clock::now();
    items_done_ = 0;
    items_total_ = items_total;
  }
  maybe_render(true);
}

void Progress::set_items(uint64_t done, uint64_t total) {
  {
    std::lock_guard lock(state_mutex_);
    items_done_ = done;
    items_total_ = total;
  }
  maybe_render(false);
}

void Progress::set_note(std::string note) {
  std::lock_guard lock(state_mutex_);
  note_ = std::move(note);
}

std::vector<StatusField> Progress::fields(bool final) const {
  std::lock_guard lock(state_mutex_);
  uint64_t done = done_, total = total_;
  double secs = seconds_since(start_);
  std::vector<StatusField> out;
  out.push_back({label_ + ":" + (phase_.empty() || final ? "" : " " + phase_), kPhase});
  if (items_total_ > 0 && !final) {
    out.push_back({fmt::format("{}/{}", items_done_, items_total_), kItems});
    out.push_back(
        {human_duration(std::chrono::duration<double>(seconds_since(phase_start_))), kElapsed});
    if (!note_.empty()) out.push_back({note_, kNote, "  "});
    return out;
  }
  out.push_back({amount(done, unit_), kAmount});
  if (total > 0) {
    // Floored, and below 100 until finished: 99.6 % is not done.
    double pct = std::floor(100.0 * static_cast<double>(done) / static_cast<double>(total));
    pct = std::min(pct, final && done >= total ? 100.0 : 99.0);
    out.push_back({"/ " + amount(total, unit_), kTotal});
    out.push_back({fmt::format("{:.0f}%", pct), kPercent});
  }
  if (final) {
    out.push_back({"in " + human_duration(std::chrono::duration<double>(secs)), kElapsed});
    if (secs > 0.5) out.push_back({"(" + rate_text(done / secs, unit_) + ")", kRate});
    return out;
  }
  if (secs > 0.5) {
    double rate = done / secs;
    out.push_back({rate_text(rate, unit_), kRate});
    if (total > done && rate > 0) {
      out.push_back(
          {"ETA " + human_duration(std::chrono::duration<double>((total - done) / rate)), kEta});
    }
  }
  if (!note_.empty()) out.push_back({note_, kNote, "  "});
  return out;
}

std::string Progress::line() const { return fit_status(fields(false), 0); }

void Progress::maybe_render(bool force) {
  std::unique_lock lock(render_mutex_, std::try_to_lock);
  if (!lock.owns_lock()) return;
  auto now = Clock::now();
  auto interval = tty_ ? std::chrono::milliseconds(250) : std::chrono::seconds(5);
  if (!force && now - last_render_ < interval) return;
  // In a pipe a short run gets its final line only, not a line per phase.
  if (!tty_ && now - start_ < interval) return;
  {
    std::lock_guard state(state_mutex_);
    if (finished_) return;
  }
  last_render_ = now;
  if (tty_) {
    StatusLine::standard().show(fields(false));
  } else {
    log::info("{}", line());
  }
}

void Progress::finish() {
  if (!stop()) return;
  std::lock_guard render(render_mutex_);
  if (tty_) {
    StatusLine::standard().commit(fields(true));
  } else {
    log::info("{}", fit_status(fields(true), 0));
  }
}

}  // namespace pgshuttle
