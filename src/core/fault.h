// Fault points: named places where a test makes pgshuttle die or slow down,
// to prove that a resume, a cancel or a retry does the right thing at that
// exact moment. One spelling, one variable:
//
//   PGSHUTTLE_FAULTS="kill@copy:schema:10,sleep=15@restore:chunk"
//
// `kill@P` sends SIGKILL to the process at point P (as `kill -9` would);
// `sleep=MS@P` sleeps MS milliseconds each time P is passed.
//
// Compiled in only when the build defines PGSHUTTLE_FAULT_POINTS (the CMake
// option of that name, on in scripts/build.sh's test build); otherwise
// every call is an empty inline function and the variable is ignored, so a
// release build carries no test hook.
//
// Thread safety: the variable is read once; hit() and armed() may be called
// from any thread.
#pragma once

#include <string_view>

namespace pgshuttle::fault {

#ifdef PGSHUTTLE_FAULT_POINTS
// Acts on point `name` when PGSHUTTLE_FAULTS names it.
void hit(std::string_view name);
// True when PGSHUTTLE_FAULTS names point `name` (to choose smaller chunks
// so that a sleep per chunk takes effect on a small database).
bool armed(std::string_view name);
#else
inline void hit(std::string_view) {}
inline bool armed(std::string_view) { return false; }
#endif

}  // namespace pgshuttle::fault
