// Server settings compared through the settings module (meaningful
// differences only: session state and host-specific values are left out),
// read on fresh, unpinned sessions so that each server's own defaults show.
// Every finding is a warning: settings never make verify fail.
//
// Thread safety: opens and closes its own connections.
#pragma once

#include <vector>

#include "pg/conninfo.h"
#include "verify/verify.h"

namespace pgshuttle::verify {

// Warnings for settings and role overrides that differ; one warning when the
// settings cannot be read.
std::vector<Difference> settings_warnings(const pg::ConnInfo& source, const pg::ConnInfo& target);

}  // namespace pgshuttle::verify
