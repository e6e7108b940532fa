// CopyFanout: a split load's rows, dealt out in batches of whole rows.
#include "restore/copy_fanout.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace pgshuttle::restore {
namespace {

struct Dealt {
  std::vector<std::string> to;  // per session, concatenated
  std::vector<std::string> batches;
};

// Feeds `text` in pieces of `piece` bytes to a fanout of `sessions`.
Dealt deal(const std::string& text, int sessions, size_t batch, size_t piece) {
  Dealt d;
  d.to.resize(static_cast<size_t>(sessions));
  CopyFanout fanout(sessions, batch, [&](int i, std::string_view rows) {
    d.to[static_cast<size_t>(i)] += rows;
    d.batches.emplace_back(rows);
    return ok_status();
  });
  for (size_t at = 0; at < text.size(); at += piece) {
    EXPECT_TRUE(fanout.feed(std::string_view(text).substr(at, piece)).ok());
  }
  EXPECT_TRUE(fanout.finish().ok());
  return d;
}

std::string rows(int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += std::to_string(i) + "\tvalue with \\n escaped " + "\n";
  return out;
}

TEST(CopyFanout, EveryBatchIsWholeRowsAndEveryRowGoesOnce) {
  std::string text = rows(5000);
  for (size_t piece : {1UL, 7UL, 4096UL, 1UL << 20}) {
    Dealt d = deal(text, 3, 1000, piece);
    std::string all;
    for (const auto& b : d.batches) {
      ASSERT_FALSE(b.empty());
      EXPECT_EQ(b.back(), '\n') << "a batch ends inside a row (piece " << piece << ")";
    }
    // Batches go round: session 0, 1, 2, 0, ...
    size_t total = 0;
    for (const auto& s : d.to) total += s.size();
    EXPECT_EQ(total, text.size());
    for (size_t i = 0; i < d.batches.size(); ++i) all += d.batches[i];
    EXPECT_EQ(all, text) << "piece " << piece;
    EXPECT_GT(d.batches.size(), 3u);
    EXPECT_FALSE(d.to[2].empty());
  }
}

TEST(CopyFanout, TheEndOfDataLineAndItsPaddingGoToNoSession) {
  std::string text = rows(100);
  // pg_dump writes "\." and two empty lines after the rows; an empty line
  // given to a session would be a row.
  for (size_t piece : {1UL, 2UL, 3UL, 5UL, 64UL}) {
    Dealt d = deal(text + "\\.\n\n\n", 2, 64, piece);
    std::string all;
    for (const auto& b : d.batches) all += b;
    EXPECT_EQ(all, text) << "piece " << piece;
  }
  // An empty table: only the end line.
  Dealt empty = deal("\\.\n\n\n", 2, 64, 1);
  EXPECT_TRUE(empty.batches.empty());
}

TEST(CopyFanout, AValueEndingInABackslashDotIsNoEndLine) {
  // A backslash in a value is written doubled: "\\." then a newline is a
  // row whose value ends in "\.", not the end of data.
  std::string text = "1\tends in \\\\.\n2\tnext\n";
  Dealt d = deal(text, 2, 4, 3);
  std::string all;
  for (const auto& b : d.batches) all += b;
  EXPECT_EQ(all, text);
}

TEST(CopyFanout, ARowLongerThanABatchIsSentWhole) {
  std::string big(10000, 'x');
  std::string text = "1\t" + big + "\n2\tb\n";
  Dealt d = deal(text, 2, 100, 333);
  ASSERT_GE(d.batches.size(), 1u);
  EXPECT_EQ(d.batches[0].substr(0, 2), "1\t");
  std::string all;
  for (const auto& b : d.batches) all += b;
  EXPECT_EQ(all, text);
}

TEST(CopyFanout, ALastRowWithoutItsNewlineIsSentByFinish) {
  Dealt d = deal("1\ta\n2\tb", 2, 1, 100);
  std::string all;
  for (const auto& b : d.batches) all += b;
  EXPECT_EQ(all, "1\ta\n2\tb");
}

TEST(CopyFanout, ASendErrorStopsTheFeed) {
  CopyFanout fanout(2, 4, [](int, std::string_view) {
    return Status(make_error(ErrorCode::kTarget, "session lost"));
  });
  Status s = fanout.feed("1\ta\n2\tb\n");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message, "session lost");
}

}  // namespace
}  // namespace pgshuttle::restore
