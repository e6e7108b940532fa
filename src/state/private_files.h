// Private state files: the state directory and the SQLite files in it hold
// endpoints, log lines, resume state and backup ids, which are nobody else's
// business on a shared machine. Directories pgshuttle creates are 0700 and
// its files 0600, whatever the umask (a stricter umask only narrows them).
//
// An existing directory keeps its mode: --state-dir may name a folder the
// user made for other things too (even /tmp), and tightening it behind their
// back would break whatever else uses it. The files in it are private anyway.
//
// Thread safety: plain functions; safe from any thread.
#pragma once

#include <string>

#include "core/result.h"

namespace pgshuttle::state {

// Creates `dir` and its missing parents with mode 0700. Fails with kUsage
// (and the fix) when it cannot.
Status make_private_dir(const std::string& dir);

// Creates `path` empty with mode 0600 if it does not exist, and takes group
// and other access away from it and from its SQLite companions (-wal, -shm,
// -journal) if they exist: SQLite creates those with the database file's
// mode, so this must run before the database is opened.
Status make_private_file(const std::string& path);

}  // namespace pgshuttle::state
