// StatusLine: the one owner of the redrawn status line at the bottom of a
// terminal. Progress draws through it (show/commit/clear) and every log
// line goes through it too (print): a log line written while a status line
// is on screen first erases that line ("\r\033[K"), is written whole, and
// the status line is drawn again below it, so the two never share a
// physical line.
//
// A status line is fitted to the terminal's width (read with
// ioctl(TIOCGWINSZ) at every draw, so a resized terminal is followed) and
// cut rather than wrapped: it never takes more than one physical line, or
// the next "\r" would leave its head behind. A status text is made of
// fields of decreasing importance (fit_status drops the least important
// ones first, then cuts what remains).
//
// Thread safety: every member may be called from any thread; output is
// serialised under one mutex and never calls back into the caller.
#pragma once

#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace pgshuttle {

// One part of a status text. Fields are joined with a space (`glue` before
// a field replaces it: "" to append without one, "  " to set a note apart).
struct StatusField {
  std::string text;
  int importance = 0;  // dropped lowest first when the line is too wide
  std::string glue = " ";
};

// The widest line `fields` make within `columns` display columns: fields
// of lowest importance dropped first (the first field never), then cut at a
// UTF-8 character boundary. `columns` <= 0 means no limit.
std::string fit_status(const std::vector<StatusField>& fields, int columns);

// Display columns of `s`, counting each UTF-8 character as one.
size_t display_width(std::string_view s);

class StatusLine {
 public:
  using Writer = std::function<void(std::string_view)>;
  using Columns = std::function<int()>;

  // Writes to `write`; `columns` gives the terminal's width (0: unknown).
  StatusLine(Writer write, Columns columns);

  // The process's status line on stderr.
  static StatusLine& standard();

  // Draws `fields` as the status line, replacing the one on screen.
  void show(std::vector<StatusField> fields);
  // Replaces the status line by `fields` as a permanent line (fitted to the
  // width, then a newline); no status line is on screen afterwards.
  void commit(const std::vector<StatusField>& fields);
  // Erases the status line, if one is on screen.
  void clear();
  // Writes `line` (ending in '\n') above the status line.
  void print(std::string_view line);

 private:
  std::string fitted(const std::vector<StatusField>& fields) const;

  Writer write_;
  Columns columns_;
  std::mutex mutex_;
  std::vector<StatusField> fields_;
  bool visible_ = false;
};

// The width of the terminal on `fd`, or 0 when it is not a terminal.
int terminal_columns(int fd);

}  // namespace pgshuttle
