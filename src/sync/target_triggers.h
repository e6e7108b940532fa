// The target's triggers while sync applies: PostgreSQL's own apply runs as
// a replica (session_replication_role = replica), where ordinary triggers
// do not fire — the source's triggers already did, and their effects arrive
// as changes. A non-superuser may not set that role, so sync disables the
// target's ordinary (ENABLE, not ALWAYS or REPLICA) user triggers for the
// time it applies and enables them again at cutover or cancel.
//
// The list is recorded in the run's store before the first one is disabled,
// so a run killed halfway still enables every one of them in the end.
//
// Thread safety: plain functions on the caller's connection and store.
#pragma once

#include "core/result.h"
#include "pg/connection.h"
#include "state/run_store.h"

namespace pgshuttle::sync {

// Disables the target's ordinary user triggers, adding them to the list in
// `store`; returns how many it disabled now.
Result<int> disable_target_triggers(pg::Connection& target, state::RunStore& store);

// Enables every trigger the list names (those since dropped are skipped).
Status enable_target_triggers(pg::Connection& target, state::RunStore& store);

}  // namespace pgshuttle::sync
