// What a non-superuser target cannot take, asked of the source: the objects
// only a superuser may create (sql/target/superuser_objects.sql, the list
// `check` reports as blockers) and every object that depends on one of
// them (sql/target/superuser_closure.sql). --skip-unsupported leaves exactly
// these out of a copy or restore, and verify reports them, when missing on
// the target, as known skips.
//
// Thread safety: functions on one connection; one thread.
#pragma once

#include <set>
#include <string>

#include "core/result.h"
#include "pg/connection.h"

namespace pgshuttle::target {

// The closure's objects, named as verify's schema queries name them
// ("public.odd", "public.my_abs(integer)", "public.my_fam USING btree").
Result<std::set<std::string>> unsupported_objects(pg::Connection& source);

}  // namespace pgshuttle::target
