// The copy's sessions as the servers see them: what the source session
// reads before the snapshot (its effective settings, row-level security that
// would hide rows), the name every session of a run carries, and the end of
// the sessions an interrupted run left behind.
//
// Thread safety: plain functions on the caller's connection.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"
#include "pg/connection.h"

namespace pgshuttle::copy {

// The source session's effective settings before pinning, for
// materialized view refreshes: (name, value) pairs; `encoding` gets the
// source database's encoding.
using Settings = std::vector<std::pair<std::string, std::string>>;
Result<Settings> read_source_settings(pg::Connection& holder, std::string& encoding);

// `settings` as SET LOCAL statements (set_config(..., true)) for the
// target's matview refreshes. A locale setting (lc_monetary, lc_numeric,
// lc_time) whose locale the target server lacks is left out with a warning:
// those refreshes then use the target's.
Result<std::string> matview_settings_sql(pg::Connection& target, const Settings& settings);

// kRowSecurity naming the tables a policy would hide rows of from the
// source role, before anything is written.
Status refuse_row_security(pg::Connection& holder);

// The application_name of run `id`'s sessions. Ids count per state
// directory (another user's c001 may run against the same server), so the
// directory's hash joins the id.
std::string session_name(const std::string& id, const std::string& state_dir);

// Terminates the sessions named `app` (an interrupted run's) on `conn`'s
// database, other than `conn`'s own, and waits until they are gone (at
// most 30 s; then kBlocked naming them). `where` names the server in logs.
Status end_orphans(pg::Connection& conn, const std::string& app, std::string_view where);

}  // namespace pgshuttle::copy
