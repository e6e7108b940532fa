// The fidelity cases through `backup` and `restore`, judged by the rig's own
// comparison (rig/compare.h) and by what an application would run.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "rig/compare.h"
#include "rig/rig.h"

namespace pgshuttle {
namespace {

using rig::psql;

std::string fidelity_file(const std::string& name) {
  return rig::source_dir() + "/tests/data/fidelity/" + name;
}

// Backs `source_url` up to a local archive and restores it into `target_url`.
void backup_and_restore(const std::string& source_url, const std::string& target_url,
                        std::vector<std::string> restore_args = {}) {
  std::string state = "/tmp/" + rig::unique_name("fidr_state");
  std::string archive = "/tmp/" + rig::unique_name("fidr") + ".dump";
  auto b = rig::run_pgshuttle({"--state-dir", state, "backup", source_url, "--to", archive});
  ASSERT_EQ(b.exit_code, 0) << b.out << b.err;
  std::vector<std::string> args{"--state-dir", state, "restore", archive, "--target", target_url};
  args.insert(args.end(), restore_args.begin(), restore_args.end());
  auto r = rig::run_pgshuttle(args);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  std::remove(archive.c_str());
}

const char* kSrs =
    "SELECT count(*), md5(string_agg(srid || coalesce(srtext, ''), ',' ORDER BY srid)) "
    "FROM spatial_ref_sys";
const char* kTransform =
    "SELECT round(ST_X(ST_Transform(g, 3857))::numeric, 3) FROM pts WHERE id = 1";

class RestoreExtensionConfig : public ::testing::TestWithParam<std::vector<std::string>> {};

// Case 01: restore kept only the archive's rows of spatial_ref_sys (none, or
// the one custom SRID) after a TRUNCATE; ST_Transform then failed.
TEST_P(RestoreExtensionConfig, SpatialRefSysKeepsCreateExtensionsRows) {
  for (bool custom_srid : {false, true}) {
    SCOPED_TRACE(custom_srid ? "with a custom SRID" : "no user rows");
    rig::ScratchDatabase src(rig::Server::kSource, "fid01_src");
    rig::ScratchDatabase dst(rig::Server::kTarget, "fid01_dst");
    rig::psql_file(src.url(), fidelity_file("01_restore_truncates_extension_config_table.sql"));
    if (custom_srid) {
      psql(src.url(),
           "INSERT INTO spatial_ref_sys (srid, auth_name, auth_srid, proj4text, srtext) "
           "VALUES (990001, 'LOCAL', 990001, '+proj=longlat +datum=WGS84 +no_defs', 'LOCAL')");
    }
    backup_and_restore(src.url(), dst.admin_url(), GetParam());
    EXPECT_EQ(psql(dst.admin_url(), kSrs), psql(src.admin_url(), kSrs));
    EXPECT_EQ(psql(dst.admin_url(), kTransform), psql(src.admin_url(), kTransform));
    rig::expect_identical(src.admin_url(), dst.admin_url());
  }
}

INSTANTIATE_TEST_SUITE_P(Jobs, RestoreExtensionConfig,
                         ::testing::Values(std::vector<std::string>{"--jobs", "2"},
                                           std::vector<std::string>{"--jobs", "1"}));

}  // namespace
}  // namespace pgshuttle
