// Issue 20: with --index-build during, a table with an index whose build
// inserts each row (GiST without a sorted build) is loaded by --jobs
// sessions into that index, created before the load, instead of one CREATE
// INDEX on one core after it. The copy stays identical (independent
// comparison), the index is valid, the default (after) keeps the old
// order, and a kill -9 during the split load resumes with the same
// command.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "copy_rig.h"
#include "rig/compare.h"
#include "rig/rig.h"

namespace pgshuttle {
namespace {

// About 45 MB on disk: over the 32 MB from which such a table is split.
constexpr const char* kSpans =
    "CREATE TABLE spans (id int PRIMARY KEY, during tstzrange NOT NULL, note text);"
    "INSERT INTO spans SELECT g, tstzrange(timestamptz '2024-01-01' + g * interval '1 minute', "
    "  timestamptz '2024-01-01' + (g + g % 97) * interval '1 minute'), md5(g::text) "
    "FROM generate_series(1, 500000) g;"
    "CREATE INDEX spans_during ON spans USING gist (during);"
    "CREATE INDEX spans_note ON spans (note);"
    "ANALYZE spans;";

std::string valid_indexes(const rig::ScratchDatabase& db) {
  return rig::psql(db.admin_url(),
                   "SELECT string_agg(c.relname || ':' || i.indisvalid, ',' ORDER BY c.relname) "
                   "FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                   "WHERE i.indrelid = 'public.spans'::regclass");
}

TEST(CopyIndexBuild, AGistTableIsLoadedBySeveralSessionsIntoItsIndex) {
  rig::ScratchDatabase src(rig::Server::kSource, "ib_src");
  rig::psql(src.admin_url(), kSpans);
  {
    rig::ScratchDatabase dst(rig::Server::kTarget, "ib_dst");
    auto r = copy(src, dst, state_dir(), {"--jobs", "2", "--index-build", "during"});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_NE(r.err.find("public.spans: loaded by 2 sessions into its index(es) spans_during"),
              std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find("INDEX public spans_during: created before the load of public.spans"),
              std::string::npos)
        << r.err;
    // The btree is built after the load, as before.
    EXPECT_EQ(r.err.find("spans_note: created before the load"), std::string::npos) << r.err;
    rig::expect_identical(src.admin_url(), dst.admin_url());
    EXPECT_EQ(valid_indexes(dst), "spans_during:true,spans_note:true,spans_pkey:true");
  }
  rig::ScratchDatabase after(rig::Server::kTarget, "ib_after");
  auto r = copy(src, after, state_dir(), {"--jobs", "2"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.err.find("created before the load"), std::string::npos) << r.err;
  rig::expect_identical(src.admin_url(), after.admin_url());
}

TEST(CopyIndexBuild, KilledDuringTheSplitLoadResumesIdentical) {
  rig::ScratchDatabase src(rig::Server::kSource, "ib_src");
  rig::ScratchDatabase dst(rig::Server::kTarget, "ib_dst");
  rig::psql(src.admin_url(), kSpans);
  // The source stays read-only, so the same command resumes without a flag.
  auto on = rig::run_pgshuttle({"maintenance", "on", src.url()});
  ASSERT_EQ(on.exit_code, 0) << on.err;
  auto dir = state_dir();
  auto killed = copy(src, dst, dir, {"--jobs", "2", "--index-build", "during"},
                     {{"PGSHUTTLE_FAULTS", "kill@copy:stream:public.spans"}});
  ASSERT_EQ(killed.exit_code, 128 + 9) << "kill point not reached: " << killed.err;
  auto resumed = copy(src, dst, dir, {"--jobs", "2", "--index-build", "during"});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.out << resumed.err;
  rig::expect_identical(src.admin_url(), dst.admin_url());
  EXPECT_EQ(valid_indexes(dst), "spans_during:true,spans_note:true,spans_pkey:true");
  EXPECT_EQ(rig::run_pgshuttle({"maintenance", "off", src.url()}).exit_code, 0);
}

}  // namespace
}  // namespace pgshuttle
