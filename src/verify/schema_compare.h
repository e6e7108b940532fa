// Schema comparison: each side's catalog is read into a CatalogSnapshot of
// (kind, object) -> {property -> value} by the queries in sql/verify/schema_*,
// and the two snapshots are diffed by name, never by OID or position.
//
// Owner and ACL properties are ignored unless asked for (default
// privileges are not an ACL property: always compared); extension version,
// tuning or superuser-only database setting and database property
// (encoding, locale, server major version) differences are warnings; a
// missing or extra object, a database setting such as search_path, and
// every other changed property is a difference. A value one side may not see ("(not visible)",
// a user mapping's options) is not compared.
//
// Thread safety: plain functions; read_catalog uses the caller's connection.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/result.h"
#include "pg/connection.h"
#include "verify/verify.h"

namespace pgshuttle::verify {

using ObjectKey = std::pair<std::string, std::string>;  // kind, object
using Properties = std::map<std::string, std::optional<std::string>>;
using CatalogSnapshot = std::map<ObjectKey, Properties>;

// `large_object_content` is set to false when large objects could not be read
// (no privilege) and only their presence, owner and ACL were taken.
Result<CatalogSnapshot> read_catalog(pg::Connection& conn, bool& large_object_content);

// Differences between `source` and `target` in a stable order (kind, object).
std::vector<Difference> diff_catalogs(const CatalogSnapshot& source, const CatalogSnapshot& target,
                                      const VerifyOptions& options);

// Drops each changed view or materialized view definition that the
// target's server deparses the same way from both texts: the two servers'
// own deparsers differ between majors (PostgreSQL 17 leaves out table
// qualifiers that 15 prints) while the query is the same. Each text becomes
// a temporary view in a session of its own on the target, rolled back.
// A text the target cannot parse stays a difference.
Status drop_same_view_queries(const pg::ConnInfo& target, std::vector<Difference>& differences);

// Drops each "extra on target" database setting whose value is the one the
// source's sessions start with anyway (a server-level value there, written
// as ALTER DATABASE ... SET on the target by `settings apply`): nothing
// differs for a query. `source` reads the source's effective values.
Status drop_settings_the_source_has(pg::Connection& source, const CatalogSnapshot& target,
                                    std::vector<Difference>& differences);

// Softens to a warning each database setting "missing on target" that the
// target's server does not have at all (14 removed
// vacuum_cleanup_index_scale_factor, for one): no value can be set there,
// and the migration is not less complete for it. A setting with a dot (an
// extension's or a custom one) stays a difference.
Status soften_settings_the_target_lacks(pg::Connection& target,
                                        std::vector<Difference>& differences);

}  // namespace pgshuttle::verify
