#include "core/log.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <mutex>

#include "core/redact.h"
#include "core/status_line.h"

namespace pgshuttle::log {
namespace {

std::atomic<Level> g_level{Level::kInfo};
std::mutex g_mutex;
std::map<int, Sink> g_sinks;
int g_next_sink = 1;

std::string_view level_name(Level l) {
  switch (l) {
    case Level::kError:
      return "error";
    case Level::kWarn:
      return "warning";
    case Level::kInfo:
      return "info";
    case Level::kDebug:
      return "debug";
  }
  return "";
}

std::string timestamp() {
  auto now = std::chrono::system_clock::now();
  std::time_t t = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  localtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%H:%M:%S", &tm);
  return buf;
}

}  // namespace

void set_level(Level level) { g_level = level; }
Level level() { return g_level; }

int add_sink(Sink sink) {
  std::lock_guard lock(g_mutex);
  g_sinks.emplace(g_next_sink, std::move(sink));
  return g_next_sink++;
}

void remove_sink(int id) {
  std::lock_guard lock(g_mutex);
  g_sinks.erase(id);
}

void write(Level level, std::string_view message) {
  if (level > g_level) return;
  std::string line = redact(message);
  std::string out = fmt::format("{} {}: {}\n", timestamp(), level_name(level), line);
  std::lock_guard lock(g_mutex);
  StatusLine::standard().print(out);
  for (auto& [id, sink] : g_sinks) sink(level, line);
}

}  // namespace pgshuttle::log
