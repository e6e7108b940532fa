// Logging: plain, timestamped lines on stderr, every one passed through
// redact() first, so no caller can leak a password by accident.
//
// Levels: error < warn < info < debug. The CLI sets the level from
// --quiet/--verbose. An optional extra sink (the transfer registry's log)
// receives the same redacted lines.
//
// Thread safety: all functions may be called from any thread; lines are
// written whole.
#pragma once

#include <fmt/format.h>

#include <functional>
#include <string>
#include <string_view>

namespace pgshuttle::log {

enum class Level { kError = 0, kWarn = 1, kInfo = 2, kDebug = 3 };

void set_level(Level level);
Level level();

// Called with (level, redacted line) for every line at or above the level.
using Sink = std::function<void(Level, std::string_view)>;
// Adds a sink; returns an id to remove it with remove_sink().
int add_sink(Sink sink);
void remove_sink(int id);

void write(Level level, std::string_view message);

template <typename... Args>
void error(fmt::format_string<Args...> f, Args&&... args) {
  write(Level::kError, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void warn(fmt::format_string<Args...> f, Args&&... args) {
  write(Level::kWarn, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void info(fmt::format_string<Args...> f, Args&&... args) {
  if (level() >= Level::kInfo) write(Level::kInfo, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void debug(fmt::format_string<Args...> f, Args&&... args) {
  if (level() >= Level::kDebug) write(Level::kDebug, fmt::format(f, std::forward<Args>(args)...));
}

}  // namespace pgshuttle::log
