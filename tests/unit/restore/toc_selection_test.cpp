// TocSelection over a TOC built by hand: what a managed target leaves out,
// the warnings, the extensions and the `pg_restore -L` list.
#include "restore/toc_selection.h"

#include <gtest/gtest.h>

namespace pgshuttle::restore {
namespace {

using archive::TocEntry;

TocEntry entry(int id, std::string desc, std::string schema, std::string tag,
               std::vector<int> deps = {}) {
  TocEntry e;
  e.dump_id = id;
  e.desc = std::move(desc);
  if (!schema.empty()) e.namespace_name = std::move(schema);
  e.tag = std::move(tag);
  e.owner = "postgres";
  e.defn = "CREATE ...;";
  e.dependencies = std::move(deps);
  return e;
}

archive::ArchiveToc managed_toc() {
  archive::ArchiveToc toc;
  toc.entries = {
      entry(2, "EXTENSION", "", "citext"),
      entry(3, "COMMENT", "", "EXTENSION citext", {2}),
      entry(4, "EXTENSION", "", "aiven_extras"),
      entry(5, "COMMENT", "", "EXTENSION aiven_extras", {4}),
      entry(6, "SCHEMA", "", "heroku_ext"),
      entry(7, "FUNCTION", "heroku_ext", "f()", {6}),
      entry(8, "ACL", "heroku_ext", "FUNCTION f()", {7}),
      entry(9, "EVENT TRIGGER", "", "evt_ddl"),
      entry(10, "COMMENT", "", "EVENT TRIGGER evt_ddl", {9}),
      entry(11, "TABLE", "shop", "orders"),
      entry(12, "COMMENT", "shop", "TABLE orders", {11}),
  };
  TocEntry data = entry(13, "TABLE DATA", "shop", "orders", {11});
  data.had_dumper = true;
  data.defn.clear();
  toc.entries.push_back(data);
  return toc;
}

TEST(TocSelection, LeavesOutEventTriggersProviderObjectsAndWhatAnnotatesThem) {
  auto toc = managed_toc();
  auto s = TocSelection::for_managed_target(toc);
  EXPECT_EQ(s.excluded_ids(), (std::set<int>{4, 5, 6, 7, 8, 9, 10}));
  EXPECT_EQ(s.skipped_entries().at(9), SkipReason::kNeedsSuperuser);
  EXPECT_EQ(s.skipped_entries().at(10), SkipReason::kNeedsSuperuser);
  EXPECT_EQ(s.skipped_entries().at(5), SkipReason::kProviderOnly);
  EXPECT_FALSE(s.skipped(3));
  EXPECT_FALSE(s.skipped(12));
  EXPECT_EQ(s.extensions(toc), (std::vector<std::string>{"citext"}));
}

TEST(TocSelection, OneWarningPerLeftOutEntryNamingItAndTheReason) {
  auto toc = managed_toc();
  auto w = TocSelection::for_managed_target(toc).warnings(toc);
  ASSERT_EQ(w.size(), 7u);
  EXPECT_EQ(w[0], "skipped EXTENSION aiven_extras: provider-only object");
  EXPECT_EQ(w[3], "skipped FUNCTION heroku_ext.f(): provider-only object");
  EXPECT_EQ(w[5], "skipped EVENT TRIGGER evt_ddl: event triggers need a superuser");
}

TEST(TocSelection, TheListCommentsOutLeftOutEntriesAndCanBeNarrowedToIds) {
  auto toc = managed_toc();
  auto s = TocSelection::for_managed_target(toc);
  std::string list = s.render_list(toc);
  EXPECT_EQ(list.rfind("2; 0 0 EXTENSION - citext postgres\n", 0), 0u) << list;
  EXPECT_NE(list.find("\n;9; 0 0 EVENT TRIGGER - evt_ddl postgres\n"), std::string::npos);
  EXPECT_NE(list.find("\n13; 0 0 TABLE DATA shop orders postgres\n"), std::string::npos);
  std::set<int> only{11, 12};
  EXPECT_EQ(s.render_list(toc, &only),
            "11; 0 0 TABLE shop orders postgres\n12; 0 0 COMMENT shop TABLE orders postgres\n");
}

// An extension the provider installed keeps its own comment: its COMMENT
// entry is left out without a warning (restore used to end with "must be
// owner of extension", exit 12, where copy said nothing).
TEST(TocSelection, TheCommentOfAnExtensionAnotherRoleOwnsIsLeftOutQuietly) {
  auto toc = managed_toc();
  auto s = TocSelection::for_managed_target(toc);
  size_t before = s.warnings(toc).size();
  s.leave_out_comments_of(toc, {"citext"});
  EXPECT_TRUE(s.skipped(3));
  EXPECT_FALSE(s.skipped(2)) << "the extension itself is still created if missing";
  EXPECT_FALSE(s.skipped(12)) << "other comments stay";
  EXPECT_EQ(s.warnings(toc).size(), before);
  EXPECT_NE(s.render_list(toc).find(";3; "), std::string::npos) << s.render_list(toc);
}

}  // namespace
}  // namespace pgshuttle::restore
