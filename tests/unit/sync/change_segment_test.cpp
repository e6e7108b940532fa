// Which changes one segment gathers, and the statements it makes.
#include "sync/change_segment.h"

#include <gtest/gtest.h>

namespace pgshuttle::sync {
namespace {

TableShape kv() { return {"public.kv", {"k", "v"}, {"int", "text"}, {true, false}, true, true}; }

TEST(ChangeSegment, AKeySeenTwiceStartsANewSegment) {
  ChangeSegment s(1, true);
  s.add(ChangeKind::kUpsert, {0, 1}, {"1", "'a'"}, "k1");
  EXPECT_FALSE(s.accepts(ChangeKind::kDelete, {0}, "k1", 100));
  EXPECT_TRUE(s.accepts(ChangeKind::kDelete, {0}, "k2", 100));
  EXPECT_FALSE(s.accepts(ChangeKind::kDelete, {0}, "k2", 1));
}

TEST(ChangeSegment, MixedKindsOfDistinctKeysGoOutDeletesFirst) {
  ChangeSegment s(1, true);
  s.add(ChangeKind::kUpsert, {0, 1}, {"1", "'a'"}, "k1");
  s.add(ChangeKind::kDelete, {0}, {"2"}, "k2");
  s.add(ChangeKind::kUpsert, {0, 1}, {"3", "'c'"}, "k3");
  auto sql = s.statements(kv());
  ASSERT_EQ(sql.size(), 2u);
  EXPECT_EQ(sql[0].rfind("DELETE FROM public.kv", 0), 0u) << sql[0];
  EXPECT_NE(sql[1].find("VALUES (1, 'a'), (3, 'c')"), std::string::npos) << sql[1];
}

TEST(ChangeSegment, WithAnotherUniqueIndexOneKindInArrivalOrder) {
  ChangeSegment s(1, false);
  s.add(ChangeKind::kUpsert, {0, 1}, {"1", "'a'"}, "k1");
  EXPECT_FALSE(s.accepts(ChangeKind::kDelete, {0}, "k2", 100));
  EXPECT_TRUE(s.accepts(ChangeKind::kUpsert, {0, 1}, "k2", 100));
  ChangeSegment u(1, false);
  u.add(ChangeKind::kUpdate, {0, 1}, {"1", "'a'"}, "k1");
  EXPECT_FALSE(u.accepts(ChangeKind::kUpdate, {0}, "k2", 100));
}

}  // namespace
}  // namespace pgshuttle::sync
