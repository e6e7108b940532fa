#include "restore/restore_plan.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "restore/job_runner.h"
#include "storage/file_source.h"

namespace pgshuttle::restore {
namespace {

using archive::Section;
using archive::TocEntry;

TocEntry entry(int id, std::string desc, std::string tag, Section section, std::vector<int> deps,
               bool data = false) {
  TocEntry e;
  e.dump_id = id;
  e.desc = std::move(desc);
  e.tag = std::move(tag);
  e.namespace_name = "public";
  e.section = section;
  e.dependencies = std::move(deps);
  e.defn = "-- " + e.desc + ";\n";
  if (data) {
    e.had_dumper = true;
    e.data_state = archive::OffsetState::kSet;
    e.data_offset = 1000 + static_cast<uint64_t>(id) * 100;
    e.copy_stmt = "COPY public." + e.tag + " (a) FROM stdin;\n";
    e.defn.clear();
  }
  return e;
}

const RestoreJob* job_for(const RestorePlan& plan, int dump_id) {
  for (const auto& j : plan.jobs) {
    if (j.entry->dump_id == dump_id) return &j;
  }
  return nullptr;
}

bool waits_for(const RestorePlan& plan, int dump_id, int other) {
  const RestoreJob* j = job_for(plan, dump_id);
  const RestoreJob* o = job_for(plan, other);
  if (!j || !o) return false;
  size_t index = static_cast<size_t>(o - plan.jobs.data());
  return std::find(j->waits_for.begin(), j->waits_for.end(), index) != j->waits_for.end();
}

archive::ArchiveToc synthetic() {
  archive::ArchiveToc toc;
  toc.entries = {
      entry(10, "TABLE", "a", Section::kPreData, {}),
      entry(11, "TABLE", "b", Section::kPreData, {}),
      entry(12, "MATERIALIZED VIEW", "mv", Section::kPreData, {10}),
      entry(20, "TABLE DATA", "a", Section::kData, {10}, true),
      entry(21, "TABLE DATA", "b", Section::kData, {11}, true),
      entry(30, "CONSTRAINT", "a_pkey", Section::kPostData, {10}),
      entry(31, "INDEX", "b_idx", Section::kPostData, {11}),
      entry(32, "FK CONSTRAINT", "b_a_fk", Section::kPostData, {11, 30}),
      entry(33, "COMMENT", "INDEX b_idx", Section::kNone, {31}),
      entry(34, "MATERIALIZED VIEW DATA", "mv", Section::kPostData, {12}),
      entry(35, "PUBLICATION", "pub", Section::kPostData, {}),
      entry(36, "COMMENT", "PUBLICATION pub", Section::kNone, {35}),
      entry(37, "ACL", "INDEX b_idx", Section::kNone, {31}),
      entry(38, "COMMENT", "TABLE a", Section::kNone, {10}),
  };
  return toc;
}

TEST(RestorePlan, SplitsSchemaJobsAndTailAndWaitsForTheDataOfTables) {
  auto toc = synthetic();
  RestorePlan plan = plan_restore(toc, {}, false, 10000);
  EXPECT_EQ(plan.pre, (std::vector<int>{10, 11, 12, 38}));
  EXPECT_EQ(plan.tail, (std::vector<int>{35, 36}));
  EXPECT_EQ(plan.table_data_jobs, 2);
  EXPECT_EQ(job_for(plan, 37), nullptr) << "ACLs are left out without --keep-acl";
  EXPECT_TRUE(waits_for(plan, 30, 20)) << "a primary key waits for its table's rows";
  EXPECT_TRUE(waits_for(plan, 31, 21));
  EXPECT_FALSE(waits_for(plan, 31, 20)) << "an index does not wait for other tables";
  EXPECT_TRUE(waits_for(plan, 32, 30)) << "a foreign key waits for the key it references";
  EXPECT_TRUE(waits_for(plan, 32, 21));
  EXPECT_TRUE(waits_for(plan, 33, 31)) << "a comment follows its index";
  EXPECT_TRUE(waits_for(plan, 34, 20) && waits_for(plan, 34, 21))
      << "a matview refresh waits for every table";
  EXPECT_TRUE(job_for(plan, 20)->waits_for.empty());
  EXPECT_TRUE(job_for(plan, 30)->exclusive);
  EXPECT_FALSE(job_for(plan, 31)->exclusive);
  EXPECT_EQ(job_for(plan, 30)->tables, std::vector<int>{10});
  EXPECT_EQ(job_for(plan, 20)->data_bytes, 100u);
  EXPECT_EQ(job_for(plan, 21)->data_bytes, 10000u - 3100u) << "the last block ends the file";
}

TEST(RestorePlan, KeepAclSendsPostDataAclsToTheLastPassAndExcludedEntriesVanish) {
  auto toc = synthetic();
  RestorePlan plan = plan_restore(toc, {}, true, 10000);
  EXPECT_NE(std::find(plan.tail.begin(), plan.tail.end(), 37), plan.tail.end());
  RestorePlan without = plan_restore(toc, {31}, true, 10000);
  EXPECT_EQ(job_for(without, 31), nullptr);
  EXPECT_EQ(job_for(without, 33), nullptr) << "the comment of a left-out index goes with it";
  EXPECT_EQ(std::find(without.tail.begin(), without.tail.end(), 37), without.tail.end());
}

TEST(RestorePlan, RealArchiveFromPgDump15) {
  std::string path = std::string(PGSHUTTLE_TESTDATA) + "/archive/small_none.dump";
  auto source = storage::FileSource::open(path);
  ASSERT_TRUE(source.ok()) << source.error().to_string();
  auto toc = archive::read_toc(**source);
  ASSERT_TRUE(toc.ok()) << toc.error().to_string();
  auto size = (*source)->size();
  ASSERT_TRUE(size.ok());
  RestorePlan plan = plan_restore(*toc, {}, false, *size);
  // TABLE DATA x2, SEQUENCE SET, BLOBS, CONSTRAINT, INDEX
  ASSERT_EQ(plan.jobs.size(), 6u);
  EXPECT_EQ(plan.table_data_jobs, 2);
  EXPECT_TRUE(plan.tail.empty());
  EXPECT_GT(plan.data_bytes, 0u);
  EXPECT_LE(plan.data_bytes, *size - toc->toc_end);
  EXPECT_TRUE(waits_for(plan, 3204, 3347));
  EXPECT_TRUE(waits_for(plan, 3202, 3347));
  EXPECT_EQ(job_for(plan, 3352)->kind, JobKind::kLargeObjects);
  EXPECT_EQ(job_for(plan, 3360)->kind, JobKind::kStatement);
}

// Table a (800 bytes of archive data) with a GiST index, b (200 bytes).
archive::ArchiveToc one_big_table(const std::string& index_sql) {
  archive::ArchiveToc toc;
  toc.entries = {entry(10, "TABLE", "a", Section::kPreData, {}),
                 entry(11, "TABLE", "b", Section::kPreData, {}),
                 entry(20, "TABLE DATA", "a", Section::kData, {10}, true),
                 entry(21, "TABLE DATA", "b", Section::kData, {11}, true),
                 entry(30, "INDEX", "a_idx", Section::kPostData, {10}),
                 entry(31, "INDEX", "b_idx", Section::kPostData, {11})};
  toc.entries[2].data_offset = 1000;
  toc.entries[3].data_offset = 1800;
  toc.entries[4].defn = index_sql;
  toc.entries[5].defn = "CREATE INDEX b_idx ON public.b USING btree (x);\n";
  return toc;
}

TEST(RestorePlan, TheLoadASlowIndexBuildWaitsForIsSplitAcrossSessions) {
  auto toc = one_big_table("CREATE INDEX a_idx ON public.a USING gist (r);\n");
  RestorePlan plan = plan_restore(toc, {}, false, 2000);
  const RestoreJob* a = job_for(plan, 20);
  ASSERT_NE(a, nullptr);
  ASSERT_EQ(a->data_bytes, 800u);
  auto critical = critical_load(plan);
  ASSERT_TRUE(critical.has_value());
  EXPECT_EQ(&plan.jobs[*critical], a);
  EXPECT_EQ(split_loads(plan, 2, 500), std::vector<size_t>{*critical});
  EXPECT_EQ(job_for(plan, 20)->sessions, 2);
  EXPECT_EQ(job_for(plan, 21)->sessions, 1) << "small, and no build waits for it";
  // Too small for the threshold, one worker, or splitting turned off.
  for (auto [jobs, larger_than] : {std::pair{2, 900}, {1, 500}, {2, 0}}) {
    RestorePlan p = plan_restore(toc, {}, false, 2000);
    EXPECT_TRUE(split_loads(p, jobs, static_cast<uint64_t>(larger_than)).empty())
        << jobs << " " << larger_than;
    EXPECT_EQ(job_for(p, 20)->sessions, 1);
  }
}

TEST(RestorePlan, ATableHoldingMostOfTheDataIsSplitWithoutASlowBuild) {
  auto toc = one_big_table("CREATE INDEX a_idx ON public.a USING btree (x);\n");
  RestorePlan plan = plan_restore(toc, {}, false, 2000);
  EXPECT_FALSE(critical_load(plan).has_value());
  EXPECT_EQ(split_loads(plan, 3, 100).size(), 1u);
  EXPECT_EQ(job_for(plan, 20)->sessions, 3);
  EXPECT_EQ(job_for(plan, 21)->sessions, 1) << "200 of 1000 bytes: not the longest chain";
}

TEST(RowCounter, CountsRowsUpToTheEndMarkerAcrossChunks) {
  std::string data = "1\ta\n2\tb\\nwith escaped newline\n3\t\\\\.\n\\.\n\n\n";
  for (size_t cut = 0; cut <= data.size(); ++cut) {
    RowCounter c;
    c.feed(std::string_view(data).substr(0, cut));
    c.feed(std::string_view(data).substr(cut));
    EXPECT_EQ(c.rows(), 3) << "cut at " << cut;
  }
  RowCounter empty;
  empty.feed("\\.\n\n\n");
  EXPECT_EQ(empty.rows(), 0);
  RowCounter one_empty_value;  // a one-column table whose value is ''
  one_empty_value.feed("\n\\.\n\n\n");
  EXPECT_EQ(one_empty_value.rows(), 1);
}

TEST(FreezeCopyStatement, AddsTheOption) {
  EXPECT_EQ(freeze_copy_statement("COPY public.t (a, b) FROM stdin;\n"),
            "COPY public.t (a, b) FROM stdin WITH (FREEZE)");
}

}  // namespace
}  // namespace pgshuttle::restore
