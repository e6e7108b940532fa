#include "core/status_line.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>

namespace pgshuttle {
namespace {

constexpr std::string_view kEraseLine = "\r\033[K";

bool continuation_byte(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

// The first `columns` characters of `s`.
std::string cut(std::string_view s, size_t columns) {
  size_t seen = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if (continuation_byte(s[i])) continue;
    if (seen == columns) return std::string(s.substr(0, i));
    ++seen;
  }
  return std::string(s);
}

std::string join(const std::vector<StatusField>& fields, const std::vector<bool>& kept) {
  std::string out;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (!kept[i] || fields[i].text.empty()) continue;
    if (!out.empty()) out += fields[i].glue;
    out += fields[i].text;
  }
  return out;
}

}  // namespace

size_t display_width(std::string_view s) {
  return static_cast<size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return !continuation_byte(c) && c != '\r' && c != '\n'; }));
}

std::string fit_status(const std::vector<StatusField>& fields, int columns) {
  std::vector<bool> kept(fields.size(), true);
  std::string line = join(fields, kept);
  if (columns <= 0) return line;
  auto limit = static_cast<size_t>(columns);
  while (display_width(line) > limit) {
    // The least important field still shown, the last of equals first.
    int drop = -1;
    for (size_t i = 1; i < fields.size(); ++i) {
      if (!kept[i]) continue;
      if (drop < 0 || fields[i].importance <= fields[static_cast<size_t>(drop)].importance) {
        drop = static_cast<int>(i);
      }
    }
    if (drop < 0) break;
    kept[static_cast<size_t>(drop)] = false;
    line = join(fields, kept);
  }
  return cut(line, limit);
}

int terminal_columns(int fd) {
  winsize ws{};
  if (::ioctl(fd, TIOCGWINSZ, &ws) != 0) return 0;
  return ws.ws_col;
}

StatusLine::StatusLine(Writer write, Columns columns)
    : write_(std::move(write)), columns_(std::move(columns)) {}

StatusLine& StatusLine::standard() {
  static StatusLine line(
      [](std::string_view s) {
        std::fwrite(s.data(), 1, s.size(), stderr);
        std::fflush(stderr);
      },
      [] { return terminal_columns(STDERR_FILENO); });
  return line;
}

std::string StatusLine::fitted(const std::vector<StatusField>& fields) const {
  // One column short of the width: a line that fills the last column
  // leaves some terminals waiting to wrap, and the next "\r" then returns
  // to the start of a new line.
  int columns = columns_();
  return fit_status(fields, columns > 1 ? columns - 1 : columns);
}

void StatusLine::show(std::vector<StatusField> fields) {
  std::lock_guard lock(mutex_);
  fields_ = std::move(fields);
  write_(std::string(kEraseLine) + fitted(fields_));
  visible_ = true;
}

void StatusLine::commit(const std::vector<StatusField>& fields) {
  std::lock_guard lock(mutex_);
  write_(std::string(kEraseLine) + fitted(fields) + "\n");
  fields_.clear();
  visible_ = false;
}

void StatusLine::clear() {
  std::lock_guard lock(mutex_);
  if (visible_) write_(kEraseLine);
  fields_.clear();
  visible_ = false;
}

void StatusLine::print(std::string_view line) {
  std::lock_guard lock(mutex_);
  if (!visible_) {
    write_(line);
    return;
  }
  write_(std::string(kEraseLine) + std::string(line) + fitted(fields_));
}

}  // namespace pgshuttle
