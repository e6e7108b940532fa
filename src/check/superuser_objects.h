// Source objects that only a superuser can create (sql/check/superuser_
// objects.sql): functions in LANGUAGE c or internal, base types, aggregates
// with an internal transition type, operator classes and families,
// transforms, binary-coercible casts, text search parsers and templates,
// foreign-data wrappers, access methods. A managed target's role cannot load
// them, so copy and restore would stop at the first; check names them all,
// one finding per kind, as blockers unless the target role is a superuser.
// Extension members are not listed: they come with CREATE EXTENSION.
//
// Thread safety: uses the calling thread's connection.
#pragma once

#include "check/check.h"

namespace pgshuttle::check {

Status check_superuser_objects(CheckReport& report, pg::Connection& source, bool target_superuser);

}  // namespace pgshuttle::check
