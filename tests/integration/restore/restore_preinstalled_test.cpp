// backup -> restore into a target where an admin pre-installed extensions
// and the non-superuser app role owns the database (fidelity case 12):
// the target counts as empty, the archive's CREATE EXTENSION meets the
// installed one, and the result is judged by the rig's independent
// comparison.
#include <gtest/gtest.h>

#include <string>

#include "restore_rig.h"
#include "rig/compare.h"
#include "rig/preinstalled_cases.h"

namespace pgshuttle::restore::testing {
namespace {

using rig::psql;

// pgshuttle backup of `src` into a new local archive.
std::string backup(const rig::ScratchDatabase& src) {
  std::string file = temp_path("pre.dump");
  auto r = rig::run_pgshuttle({"--state-dir", state_dir(), "backup", src.url(), "--to", file});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return file;
}

using rig::ExtensionCase;

class RestoreIntoPreinstalled : public ::testing::TestWithParam<ExtensionCase> {};

TEST_P(RestoreIntoPreinstalled, TargetWithOnlyTheExtensionIsEmpty) {
  rig::ScratchDatabase src(rig::Server::kSource, "rpre_src");
  rig::ScratchDatabase dst(rig::Server::kTarget, "rpre_dst");
  psql(src.url(), "CREATE EXTENSION " + GetParam().extension + "; " + GetParam().source_sql);
  psql(dst.admin_url(), "CREATE EXTENSION " + GetParam().extension);
  auto r = restore(backup(src), dst.url(), {"--jobs", "2"});
  ASSERT_TRUE(r.exit_code == 0 || r.exit_code == 12) << r.out << r.err;
  rig::expect_identical(src.admin_url(), dst.admin_url());
}

INSTANTIATE_TEST_SUITE_P(Extensions, RestoreIntoPreinstalled,
                         ::testing::ValuesIn(rig::preinstalled_extension_cases()),
                         [](const auto& info) { return info.param.extension; });

// PostGIS, which the app role cannot create: geometry columns and a GiST
// index. The provider lets the app role write spatial_ref_sys, as managed
// providers do (without that, loading its configuration-table data fails
// with permission denied: restore's data path, job_runner.cpp).
TEST(RestoreIntoPreinstalled, PostgisSourceIntoPostgisTarget) {
  rig::ScratchDatabase src(rig::Server::kSource, "rpre_gis");
  rig::ScratchDatabase dst(rig::Server::kTarget, "rpre_gis_t");
  psql(src.url(), rig::kPostgisSource);
  psql(dst.admin_url(), "CREATE EXTENSION postgis; GRANT ALL ON spatial_ref_sys TO app");
  auto r = restore(backup(src), dst.url(), {"--jobs", "2"});
  ASSERT_TRUE(r.exit_code == 0 || r.exit_code == 12) << r.out << r.err;
  EXPECT_EQ(rig::sorted_schema(dst.admin_url()), rig::sorted_schema(src.admin_url()));
  std::string places =
      "SELECT count(*), md5(string_agg(ST_AsEWKT(geom), ',' ORDER BY id)) FROM places";
  EXPECT_EQ(psql(dst.url(), places), psql(src.url(), places));
  EXPECT_EQ(psql(dst.url(),
                 "SELECT indexdef LIKE '%USING gist%' FROM pg_indexes "
                 "WHERE indexname = 'places_geom'"),
            "t");
  EXPECT_EQ(psql(dst.url(),
                 "SELECT count(*) FROM places WHERE geom && "
                 "ST_MakeEnvelope(0, 45, 10, 50, 4326)"),
            psql(src.url(),
                 "SELECT count(*) FROM places WHERE geom && "
                 "ST_MakeEnvelope(0, 45, 10, 50, 4326)"));
}

// The same PostGIS application database through backup and restore.
TEST(RestoreIntoPreinstalled, PostgisApplicationDatabaseArrivesWhole) {
  rig::ScratchDatabase src(rig::Server::kSource, "rpre_gisapp");
  rig::ScratchDatabase dst(rig::Server::kTarget, "rpre_gisapp_t");
  psql(src.url(), rig::kPostgisApplication);
  psql(dst.admin_url(), "CREATE EXTENSION postgis; GRANT ALL ON spatial_ref_sys TO app");
  auto r = restore(backup(src), dst.url(), {"--jobs", "2"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  rig::expect_identical(src.admin_url(), dst.admin_url());
  for (const std::string q : rig::kPostgisApplicationChecks) {
    EXPECT_EQ(psql(dst.url(), q), psql(src.url(), q)) << q;
  }
}

// ST_Transform reads spatial_ref_sys, an extension configuration table whose
// rows restore used to TRUNCATE (fidelity case 01): the archive's rows are
// now added to CREATE EXTENSION's own.
TEST(RestoreIntoPreinstalled, PostgisTransformWorksOnTheTarget) {
  rig::ScratchDatabase src(rig::Server::kSource, "rpre_gtr");
  rig::ScratchDatabase dst(rig::Server::kTarget, "rpre_gtr_t");
  psql(src.url(),
       "CREATE EXTENSION postgis; CREATE TABLE places (id int PRIMARY KEY, "
       "geom geometry(Point, 4326)); INSERT INTO places VALUES (7, "
       "ST_SetSRID(ST_MakePoint(3.5, 45.7), 4326))");
  psql(dst.admin_url(), "CREATE EXTENSION postgis; GRANT ALL ON spatial_ref_sys TO app");
  auto r = restore(backup(src), dst.url());
  ASSERT_TRUE(r.exit_code == 0 || r.exit_code == 12) << r.out << r.err;
  std::string q =
      "SELECT ST_AsText(ST_SnapToGrid(ST_Transform(geom, 3857), 0.01)) FROM places WHERE id = 7";
  EXPECT_EQ(psql(dst.url(), q), psql(src.url(), q));
  rig::expect_identical(src.admin_url(), dst.admin_url());
}

// As providers deliver it: PostGIS installed by their admin, and the app
// role without any privilege on spatial_ref_sys. The archive holds no
// spatial_ref_sys rows of the source's own, so there is nothing to write
// there; restore used to fail on the COPY of its empty data block.
TEST(RestoreIntoPreinstalled, PostgisWithoutWritableSpatialRefSys) {
  rig::ScratchDatabase src(rig::Server::kSource, "rpre_gnw");
  rig::ScratchDatabase dst(rig::Server::kTarget, "rpre_gnw_t");
  psql(src.url(), rig::kPostgisSource);
  psql(dst.admin_url(), "CREATE EXTENSION postgis");
  ASSERT_EQ(psql(dst.url(), "SELECT has_table_privilege('spatial_ref_sys', 'INSERT')"), "f");
  auto r = restore(backup(src), dst.url(), {"--jobs", "2"});
  ASSERT_TRUE(r.exit_code == 0 || r.exit_code == 12) << r.out << r.err;
  rig::expect_identical(src.admin_url(), dst.admin_url());
}

// --clean with a pre-installed extension: only the app role's objects go.
TEST(RestoreIntoPreinstalled, CleanKeepsTheExtension) {
  rig::ScratchDatabase src(rig::Server::kSource, "rpre_cln");
  rig::ScratchDatabase dst(rig::Server::kTarget, "rpre_cln_t");
  psql(src.url(),
       "CREATE EXTENSION tablefunc; CREATE TABLE t (id int PRIMARY KEY); "
       "INSERT INTO t VALUES (1)");
  psql(dst.admin_url(), "CREATE EXTENSION tablefunc");
  psql(dst.url(), "CREATE TABLE leftover (id int)");
  std::string archive = backup(src);
  auto refused = restore(archive, dst.url());
  EXPECT_EQ(refused.exit_code, 30) << refused.err;
  EXPECT_NE(refused.err.find("1 user objects: relation public.leftover"), std::string::npos)
      << refused.err;
  auto r = restore(archive, dst.url(), {"--clean", "--confirm", dst.name()});
  ASSERT_TRUE(r.exit_code == 0 || r.exit_code == 12) << r.out << r.err;
  EXPECT_EQ(psql(dst.url(), "SELECT to_regclass('leftover') IS NULL"), "t");
  rig::expect_identical(src.admin_url(), dst.admin_url());
}

}  // namespace
}  // namespace pgshuttle::restore::testing
