#include "core/progress.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>

#include "core/human.h"
#include "core/log.h"

namespace pgshuttle {
namespace {

std::atomic<bool> g_quiet{false};

std::string amount(uint64_t n, ProgressUnit unit) {
  return unit == ProgressUnit::kBytes ? human_bytes(n) : fmt::format("{} rows", n);
}

}  // namespace

void Progress::set_quiet(bool quiet) { g_quiet = quiet; }

Progress::Progress(std::string label, ProgressUnit unit, uint64_t total)
    : label_(std::move(label)),
      unit_(unit),
      total_(total),
      start_(std::chrono::steady_clock::now()),
      last_render_(start_),
      tty_(isatty(STDERR_FILENO) && !g_quiet) {}

Progress::~Progress() {
  if (!finished_ && tty_) std::fputs("\n", stderr);
}

void Progress::add(uint64_t n) {
  done_ += n;
  maybe_render(false);
}

void Progress::set_note(std::string note) {
  std::lock_guard lock(mutex_);
  note_ = std::move(note);
}

std::string Progress::line() const {
  using namespace std::chrono;
  double secs = duration<double>(steady_clock::now() - start_).count();
  uint64_t done = done_, total = total_;
  std::string out = fmt::format("{}: {}", label_, amount(done, unit_));
  if (total > 0) {
    out += fmt::format(" / {} {:.0f}%", amount(total, unit_),
                       std::min(100.0, 100.0 * static_cast<double>(done) / total));
  }
  if (secs > 0.5) {
    double rate = done / secs;
    out += unit_ == ProgressUnit::kBytes ? fmt::format(" {}/s", human_bytes(uint64_t(rate)))
                                         : fmt::format(" {:.0f} rows/s", rate);
    if (total > done && rate > 0) {
      out += " ETA " + human_duration(duration<double>((total - done) / rate));
    }
  }
  return out;
}

void Progress::maybe_render(bool force) {
  using namespace std::chrono;
  std::unique_lock lock(mutex_, std::try_to_lock);
  if (!lock.owns_lock()) return;
  auto now = steady_clock::now();
  auto interval = tty_ ? milliseconds(250) : seconds(5);
  if (!force && now - last_render_ < interval) return;
  last_render_ = now;
  std::string text = line();
  if (!note_.empty()) text += "  " + note_;
  if (tty_) {
    std::fprintf(stderr, "\r\033[K%s", text.c_str());
    std::fflush(stderr);
  } else {
    log::info("{}", text);
  }
}

void Progress::finish() {
  if (finished_) return;
  maybe_render(true);
  if (tty_) std::fputs("\n", stderr);
  finished_ = true;
}

}  // namespace pgshuttle
