// Helpers the copy tests share: `pgshuttle copy` with a state directory of
// its own.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "rig/rig.h"

namespace pgshuttle {

inline rig::CommandResult copy(const rig::ScratchDatabase& src, const rig::ScratchDatabase& dst,
                               const std::string& state_dir, std::vector<std::string> extra = {},
                               const std::map<std::string, std::string>& env = {}) {
  std::vector<std::string> args{"--state-dir", state_dir, "copy", src.url(), dst.url()};
  args.insert(args.end(), extra.begin(), extra.end());
  return rig::run_pgshuttle(args, env);
}

inline std::string state_dir() { return "/tmp/" + rig::unique_name("copy_state"); }

}  // namespace pgshuttle
