// OwnedTemp: names for temporary files and directories that say which
// process made them, so that a later run can remove what a killed one
// (kill -9, power loss) left behind without touching a live run's files.
//
// A name is <prefix><host>-<pid>-XXXXXX (mkstemp/mkdtemp fill the X's).
// The host is there because a destination directory may be shared between
// machines (NFS): a pid is only meaningful on the host that owns it.
// remove_dead_temps() removes the entries of a directory with such a name,
// made on this host by a process that no longer exists, owned by this user.
//
// Thread safety: pure functions over the file system; safe from any thread.
#pragma once

#include <string>
#include <string_view>

namespace pgshuttle {

// "<dir>/<prefix><host>-<pid>-XXXXXX", a template for mkstemp/mkdtemp.
std::string owned_temp_template(const std::string& dir, std::string_view prefix);

// Removes (recursively for directories) every entry of `dir` whose name
// starts with `prefix`, whose tail after the last `marker` is
// "<host>-<pid>-XXXXXX" for this host, and whose pid is not running.
// Returns how many were removed; errors are ignored (best effort).
int remove_dead_temps(const std::string& dir, std::string_view prefix, std::string_view marker);

// $TMPDIR, or /tmp when unset or empty.
std::string temp_dir();

}  // namespace pgshuttle
