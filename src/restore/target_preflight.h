// Checks and preparations on the target before restore writes anything
// (the destructive guard is target::guard_target, shared with copy and
// check): extension availability (every extension the archive
// names, plus --extensions, must be installable by the connected role), and
// creating the requested extensions first.
//
// Thread safety: one thread per Connection.
#pragma once

#include <string>
#include <vector>

#include "core/result.h"
#include "pg/connection.h"

namespace pgshuttle::restore {

// An extension to create: "hstore" or "schema.hstore".
struct ExtensionRequest {
  std::string schema;  // empty: the extension's default
  std::string name;
  static ExtensionRequest parse(const std::string& text);
};

// kMissingExtension, listing what the target offers, when one of `names`
// is neither installed nor creatable by the connected role.
Status check_extensions(pg::Connection& conn, const std::vector<std::string>& names);

// CREATE EXTENSION IF NOT EXISTS for each (and its schema when given).
Status create_extensions(pg::Connection& conn, const std::vector<ExtensionRequest>& requests);

}  // namespace pgshuttle::restore
