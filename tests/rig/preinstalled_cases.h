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

// A PostGIS application database as issue 14 describes it: geometry in two
// SRIDs, geography, a custom SRID of the application's own (a row it added
// to spatial_ref_sys and a column that uses it), GiST indexes and a view.
inline const char* const kPostgisApplication =
    "CREATE EXTENSION postgis; "
    "INSERT INTO spatial_ref_sys (srid, auth_name, auth_srid, srtext, proj4text) VALUES "
    "(990002, 'app', 990002, 'LOCAL_CS[\"site grid\"]', '+proj=longlat +datum=WGS84'); "
    "CREATE TABLE sites (id int PRIMARY KEY, name text, "
    "  pos geometry(Point, 4326), pos_mercator geometry(Point, 3857), "
    "  area geography(Polygon, 4326), local geometry(Point, 990002)); "
    "INSERT INTO sites SELECT i, 'site ' || i, ST_SetSRID(ST_MakePoint(i * 0.5, 45 + i * 0.1), "
    "  4326), ST_Transform(ST_SetSRID(ST_MakePoint(i * 0.5, 45 + i * 0.1), 4326), 3857), "
    "  ST_Buffer(ST_SetSRID(ST_MakePoint(i * 0.5, 45 + i * 0.1), 4326)::geography, 100)::"
    "geography(Polygon, 4326), ST_SetSRID(ST_MakePoint(i, i), 990002) "
    "FROM generate_series(1, 150) i; "
    "CREATE INDEX sites_pos ON sites USING gist (pos); "
    "CREATE INDEX sites_area ON sites USING gist (area); "
    "CREATE VIEW sites_near_origin AS SELECT id, name, ST_Distance(area, "
    "  ST_SetSRID(ST_MakePoint(0, 45), 4326)::geography) AS metres FROM sites "
    "  WHERE ST_DWithin(area, ST_SetSRID(ST_MakePoint(0, 45), 4326)::geography, 50000)";

// Queries whose answers must be the same on kPostgisApplication's source and
// target: the custom SRID's row, ST_Transform on the target (it reads
// spatial_ref_sys), the view, and the column of the custom SRID.
inline const char* const kPostgisApplicationChecks[] = {
    "SELECT srtext FROM spatial_ref_sys WHERE srid = 990002",
    "SELECT md5(string_agg(ST_AsText(ST_SnapToGrid(ST_Transform(pos, 3857), 0.01)) || "
    "ST_AsText(ST_SnapToGrid(pos_mercator, 0.01)), ',' ORDER BY id)) FROM sites",
    "SELECT count(*), round(sum(metres)) FROM sites_near_origin",
    "SELECT count(*) FROM sites WHERE ST_SRID(local) = 990002",
};

}  // namespace pgshuttle::rig
