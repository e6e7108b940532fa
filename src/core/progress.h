// Progress: a counter of done units (bytes or rows) against an optional
// total, within a named phase ("restore: data", "restore: indexes"), shown
// as the terminal's status line (core/status_line.h: redrawn every 250 ms,
// fitted to the width, never glued to a log line) and as a plain log line
// every few seconds otherwise.
//
// While running, the % never reads 100: work that has read all its bytes
// may still be building indexes. A phase that counts items (index builds)
// shows "done/total" instead of the byte figures. finish() replaces the
// status line by a final line without an ETA: the amount, the real %, the
// time taken and the average rate.
//
// Thread safety: add(), set_done() and the setters may be called from any
// number of threads; rendering is rate-limited and serialised internally.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/status_line.h"

namespace pgshuttle {

enum class ProgressUnit { kBytes, kRows };

class Progress {
 public:
  // `total` 0 means unknown (no % and no ETA).
  Progress(std::string label, ProgressUnit unit, uint64_t total);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  void add(uint64_t n);
  // Sets the done amount (for callers that track it themselves).
  void set_done(uint64_t n);
  void set_total(uint64_t total) { total_ = total; }
  // The phase now running ("dump", "data", "indexes"), shown after the
  // label, with `items_total` items to do (0: none; see set_items). The
  // same phase again changes nothing.
  void set_phase(std::string phase, uint64_t items_total = 0);
  // Items of the current phase done out of `total`, shown instead of the
  // byte figures (total 0: none).
  void set_items(uint64_t done, uint64_t total);
  // Sets a short note shown after the figures, e.g. the current table.
  void set_note(std::string note);
  // Replaces the status line by the final line (a log line in a pipe).
  // Destroyed unfinished, a Progress only erases its status line.
  void finish();

  uint64_t done() const { return done_; }
  // The line as shown without a width limit: "backup: dump 312.0 MiB /
  // 1.0 GiB 30% 48.1 MiB/s ETA 15s".
  std::string line() const;

  // Forces plain log lines even on a TTY (for --json and tests).
  static void set_quiet(bool quiet);

 private:
  std::vector<StatusField> fields(bool final) const;
  void maybe_render(bool force);
  void tick();
  // Ends the ticker; false when already finished.
  bool stop();

  std::string label_;
  ProgressUnit unit_;
  std::atomic<uint64_t> total_;
  std::atomic<uint64_t> done_{0};
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point phase_start_;
  std::chrono::steady_clock::time_point last_render_;
  mutable std::mutex state_mutex_;  // guards the strings and items
  std::mutex render_mutex_;         // one render at a time
  std::string phase_;
  std::string note_;
  uint64_t items_done_ = 0;
  uint64_t items_total_ = 0;
  bool tty_;
  bool finished_ = false;
  // On a TTY, redraws the line while nothing is added (an index build).
  std::condition_variable wake_;
  std::thread ticker_;
};

}  // namespace pgshuttle
