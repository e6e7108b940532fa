// The independent comparison of two databases that integration tests judge
// pgshuttle by: never pgshuttle's own verify. Everything here is plain SQL
// through psql and pg_dump, in sessions whose output settings are pinned so
// that two clusters with different defaults print the same text for the
// same values.
#pragma once

#include <string>

namespace pgshuttle::rig {

// Session settings that make a value's text the same on every cluster.
extern const char* const kPinnedText;

// pg_dump --schema-only --no-owner --no-acl, comments and blank lines
// dropped, lines sorted (object order and OIDs differ between two loads).
std::string sorted_schema(const std::string& admin_url);
// "schema.table count md5(sorted row text)" for every table and populated
// materialized view outside the system schemas, extension configuration
// tables included
// (read ONLY, as a superuser: no policy filters a row).
std::string table_checksums(const std::string& admin_url);
// last_value and is_called of every sequence.
std::string sequence_values(const std::string& admin_url);
// OID and md5 of every large object.
std::string large_objects(const std::string& admin_url);

// Expects schema, rows, sequences and large objects to be the same; both
// URLs are superuser URLs.
void expect_identical(const std::string& source_admin_url, const std::string& target_admin_url);

}  // namespace pgshuttle::rig
