#include "core/fault.h"

#ifdef PGSHUTTLE_FAULT_POINTS

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "core/parse_number.h"

namespace pgshuttle::fault {
namespace {

struct Fault {
  std::string point;
  bool kill = false;
  int sleep_ms = 0;
};

// "kill@P" and "sleep=MS@P", comma-separated; malformed entries are ignored.
std::vector<Fault> parse(std::string_view text) {
  std::vector<Fault> out;
  while (!text.empty()) {
    size_t comma = text.find(',');
    std::string_view item = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
    size_t at = item.find('@');
    if (at == std::string_view::npos) continue;
    std::string_view action = item.substr(0, at);
    Fault f{std::string(item.substr(at + 1))};
    if (action == "kill") {
      f.kill = true;
    } else if (action.rfind("sleep=", 0) == 0) {
      f.sleep_ms = parse_number<int>(action.substr(6)).value_or(0);
    } else {
      continue;
    }
    out.push_back(std::move(f));
  }
  return out;
}

const std::vector<Fault>& faults() {
  static const std::vector<Fault> all = [] {
    const char* v = std::getenv("PGSHUTTLE_FAULTS");
    return v ? parse(v) : std::vector<Fault>{};
  }();
  return all;
}

}  // namespace

void hit(std::string_view name) {
  for (const Fault& f : faults()) {
    if (f.point != name) continue;
    if (f.kill) ::kill(::getpid(), SIGKILL);
    if (f.sleep_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(f.sleep_ms));
  }
}

bool armed(std::string_view name) {
  for (const Fault& f : faults()) {
    if (f.point == name) return true;
  }
  return false;
}

}  // namespace pgshuttle::fault

#endif
