// The copy's sessions as the servers see them: what the source session
// reads before the snapshot (its effective settings, row-level security that
// would hide rows), the name every session of a run carries, and the end of
// the sessions an interrupted run left behind.
//
// Thread safety: plain functions on the caller's connection.
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"
#include "pg/connection.h"

namespace pgshuttle::copy {

// The source session's effective settings before pinning, as SET LOCAL
// statements for materialized view refreshes; `encoding` gets the source
// database's encoding.
Result<std::string> read_source_settings(pg::Connection& holder, std::string& encoding);

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
