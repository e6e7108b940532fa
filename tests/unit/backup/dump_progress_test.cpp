#include "backup/dump_progress.h"

#include <gtest/gtest.h>

namespace pgshuttle::backup {
namespace {

archive::TocEntry data_entry(int dump_id, uint32_t oid) {
  archive::TocEntry te;
  te.dump_id = dump_id;
  te.oid = oid;
  te.desc = "TABLE DATA";
  te.had_dumper = true;
  return te;
}

// Three tables of 100, 300 and 600 bytes on disk (OIDs 10, 20, 30), and a
// large-objects block that counts nothing.
DumpProgress three_tables() {
  DumpProgress p({{10, 100}, {20, 300}, {30, 600}, {40, 999}});
  archive::ArchiveToc toc;
  toc.entries = {data_entry(1, 10), data_entry(2, 20), data_entry(3, 30)};
  archive::TocEntry blobs;
  blobs.dump_id = 4;
  blobs.desc = "BLOBS";
  blobs.had_dumper = true;
  toc.entries.push_back(blobs);
  p.set_toc(toc);
  return p;
}

TEST(DumpProgress, TheTotalIsTheSizeOfTheTablesTheArchiveHolds) {
  EXPECT_EQ(three_tables().total(), 1000u);  // OID 40 is not in the archive
}

TEST(DumpProgress, CountsFinishedBlocksAndTheRunningOneAtTheRatioSoFar) {
  DumpProgress p = three_tables();
  EXPECT_EQ(p.done({}, 5000, false), 0u);
  // The first block runs: no ratio known yet.
  EXPECT_EQ(p.done({{1, 1000}}, 1040, false), 0u);
  // Table 1 (100 bytes) took 50 archive bytes: ratio 2; table 2 has 60 of its bytes.
  EXPECT_EQ(p.done({{1, 1000}, {2, 1050}}, 1110, false), 100u + 120u);
  // Never more than the running table's size.
  EXPECT_EQ(p.done({{1, 1000}, {2, 1050}}, 9000, false), 100u + 300u);
  // The large objects' block: everything before it is done, it adds nothing.
  EXPECT_EQ(p.done({{1, 1000}, {2, 1050}, {3, 1200}, {4, 1500}}, 1600, false), 1000u);
  EXPECT_EQ(p.done({{1, 1000}, {2, 1050}}, 1110, true), 1000u);
}

}  // namespace
}  // namespace pgshuttle::backup
