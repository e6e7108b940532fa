// Sources that use an extension a provider pre-installs on the target
// (fidelity case 12), shared by the copy and the restore tests so both
// paths are judged on the same databases.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace pgshuttle::rig {

// A source that uses `extension`, and a target holding only the extension.
struct ExtensionCase {
  std::string extension;
  std::string source_sql;
};
inline void PrintTo(const ExtensionCase& c, std::ostream* os) { *os << c.extension; }

inline std::vector<ExtensionCase> preinstalled_extension_cases() {
  return {{"tablefunc",
           "CREATE TABLE sales (region text, quarter text, amount int, "
           "PRIMARY KEY (region, quarter)); "
           "INSERT INTO sales VALUES ('n', 'q1', 1), ('n', 'q2', 2), ('s', 'q1', 3); "
           "CREATE VIEW sales_by_quarter AS SELECT * FROM crosstab("
           "'SELECT region, quarter, amount FROM sales ORDER BY 1, 2') "
           "AS t(region text, q1 int, q2 int)"},
          {"pgcrypto",
           "CREATE TABLE secrets (id int PRIMARY KEY, "
           "token text NOT NULL DEFAULT encode(gen_random_bytes(8), 'hex'), "
           "hash bytea GENERATED ALWAYS AS (digest(token, 'sha256')) STORED); "
           "INSERT INTO secrets (id) SELECT generate_series(1, 50)"}};
}

// PostGIS (which the app role cannot create): geometry columns, a GiST index.
inline const char* const kPostgisSource =
    "CREATE EXTENSION postgis; "
    "CREATE TABLE places (id int PRIMARY KEY, name text, geom geometry(Point, 4326)); "
    "CREATE INDEX places_geom ON places USING gist (geom); "
    "INSERT INTO places SELECT i, 'p' || i, ST_SetSRID(ST_MakePoint(i * 0.5, 45 + i * 0.1), "
    "4326) FROM generate_series(1, 200) i";

}  // namespace pgshuttle::rig
