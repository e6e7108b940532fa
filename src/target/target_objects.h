// The target's user objects: the one answer to "is the target empty?" that
// check, copy, restore and migrate share (sql/target/user_objects.sql), and
// the destructive guard built on it.
//
// What comes with an extension is never a user object: its members and what
// hangs off them (the relations of its composite types, the indexes and
// TOAST tables of its tables, array types of its types), nor the extensions
// themselves — providers and admins pre-install those, and the extension
// plan judges whether their versions suit the source.
//
// A target that holds user objects is only overwritten with --clean and
// --confirm set to the target database's name. Cleaning drops the listed
// objects the connected role owns (all of them for a superuser), never an
// extension or anything an extension owns, then sweeps the role's remaining
// objects with DROP OWNED when that cannot reach an extension; objects owned
// by other roles are left and reported.
//
// Thread safety: functions on one connection; one thread.
#pragma once

#include <string>
#include <vector>

#include "core/result.h"
#include "pg/connection.h"

namespace pgshuttle::target {

struct UserObject {
  std::string kind;   // relation, function, type, schema, large object
  std::string name;   // quoted: public."Order"
  std::string owner;  // role name
  std::string drop;   // statement that removes it; empty when it goes with another
};

struct GuardOptions {
  bool clean = false;
  std::string confirm;  // must equal the target database name to clean
};

// The user objects of the connection's database, by kind and name.
Result<std::vector<UserObject>> list_user_objects(pg::Connection& conn);

// What tells the connected database from another of the same name (dropped
// and created again since): its OID, as text. A resumable run records it
// and continues only in the same database.
Result<std::string> database_identity(pg::Connection& conn);

// "relation public.t, function public.f and 3 more" (the first `limit`).
std::string describe(const std::vector<UserObject>& objects, size_t limit = 5);

// Drops what the connected role may drop (see above); kTargetNotEmpty
// naming what other roles own when user objects remain.
Status clean_target(pg::Connection& conn);

// ok for an empty target; kTargetNotEmpty naming the objects and why the
// options do not allow cleaning; cleans when they do.
Status guard_target(pg::Connection& conn, const GuardOptions& options);

}  // namespace pgshuttle::target
