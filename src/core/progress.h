// Progress: a counter of done units (bytes or rows) against an optional
// total, shown as a single redrawn line on a TTY (done, %, rate, ETA) and as
// a plain log line every few seconds otherwise.
//
// Thread safety: add() may be called from any number of worker threads;
// rendering is rate-limited and serialised internally.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>

namespace pgshuttle {

enum class ProgressUnit { kBytes, kRows };

class Progress {
 public:
  // `total` 0 means unknown (no % and no ETA).
  Progress(std::string label, ProgressUnit unit, uint64_t total);
  ~Progress();

  void add(uint64_t n);
  void set_total(uint64_t total) { total_ = total; }
  // Sets a short note shown after the figures, e.g. the current table.
  void set_note(std::string note);
  // Prints the final line (with a newline on a TTY).
  void finish();

  uint64_t done() const { return done_; }
  // One line: "312.0 MiB / 1.0 GiB 30% 48.1 MiB/s ETA 15s".
  std::string line() const;

  // Forces plain log lines even on a TTY (for --json and tests).
  static void set_quiet(bool quiet);

 private:
  void maybe_render(bool force);

  std::string label_;
  ProgressUnit unit_;
  std::atomic<uint64_t> total_;
  std::atomic<uint64_t> done_{0};
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_render_;
  std::mutex mutex_;
  std::string note_;
  bool tty_;
  bool finished_ = false;
};

}  // namespace pgshuttle
