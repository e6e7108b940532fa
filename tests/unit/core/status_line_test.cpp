#include "core/status_line.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace pgshuttle {
namespace {

std::vector<StatusField> restore_fields() {
  return {{"restore: data", 100}, {"312.0 MiB", 90}, {"/ 1.0 GiB", 40},        {"30%", 80},
          {"48.1 MiB/s", 30},     {"ETA 15s", 60},   {"shop.orders", 10, "  "}};
}

TEST(FitStatus, KeepsEverythingWhenItFits) {
  EXPECT_EQ(fit_status(restore_fields(), 0),
            "restore: data 312.0 MiB / 1.0 GiB 30% 48.1 MiB/s ETA 15s  shop.orders");
  EXPECT_EQ(fit_status(restore_fields(), 200),
            "restore: data 312.0 MiB / 1.0 GiB 30% 48.1 MiB/s ETA 15s  shop.orders");
}

TEST(FitStatus, DropsTheLeastImportantFieldsFirst) {
  // 44 columns: the note, the rate and the total go; phase, amount, % and ETA stay.
  EXPECT_EQ(fit_status(restore_fields(), 44), "restore: data 312.0 MiB 30% ETA 15s");
  EXPECT_EQ(fit_status(restore_fields(), 27), "restore: data 312.0 MiB 30%");
}

TEST(FitStatus, CutsTheFirstFieldAtACharacterBoundary) {
  std::vector<StatusField> f{{"copy: data größe größe", 100}, {"1%", 80}};
  std::string cut = fit_status(f, 13);
  EXPECT_EQ(cut, "copy: data gr");
  cut = fit_status(f, 14);
  EXPECT_EQ(cut, "copy: data grö");
  EXPECT_EQ(display_width(cut), 14u);
}

struct Screen {
  std::string written;
  int columns = 30;
  StatusLine line{[this](std::string_view s) { written.append(s); }, [this] { return columns; }};
};

TEST(StatusLine, ALogLineErasesTheStatusLineAndItIsDrawnAgainBelow) {
  Screen s;
  s.line.print("first\n");
  EXPECT_EQ(s.written, "first\n");  // nothing on screen: written as is
  s.written.clear();
  s.line.show({{"copy: data", 100}, {"10%", 80}});
  EXPECT_EQ(s.written, "\r\033[Kcopy: data 10%");
  s.written.clear();
  s.line.print("12:00:00 info: loaded t\n");
  EXPECT_EQ(s.written, "\r\033[K12:00:00 info: loaded t\ncopy: data 10%");
}

TEST(StatusLine, FitsTheWidthReadAtEachDraw) {
  Screen s;
  s.columns = 12;  // one column is kept free: 11
  s.line.show({{"copy: data", 100}, {"10%", 80}});
  EXPECT_EQ(s.written, "\r\033[Kcopy: data");
  s.written.clear();
  s.columns = 80;  // the terminal was widened
  s.line.print("x\n");
  EXPECT_EQ(s.written, "\r\033[Kx\ncopy: data 10%");
}

TEST(StatusLine, CommitLeavesAFinalLineAndNoStatusLine) {
  Screen s;
  s.line.show({{"copy: data", 100}});
  s.written.clear();
  s.line.commit({{"copy:", 100}, {"1.0 MiB", 90}, {"100%", 80}, {"in 2.0s", 50}});
  EXPECT_EQ(s.written, "\r\033[Kcopy: 1.0 MiB 100% in 2.0s\n");
  s.written.clear();
  s.line.print("after\n");
  EXPECT_EQ(s.written, "after\n");
  s.line.clear();
  EXPECT_EQ(s.written, "after\n");  // nothing to erase
}

TEST(StatusLine, LinesFromManyThreadsAreWrittenWhole) {
  Screen s;
  s.columns = 0;  // unknown width: no limit
  s.line.show({{"copy: data", 100}});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&s, t] {
      for (int i = 0; i < 200; ++i) {
        s.line.print("line " + std::to_string(t) + "\n");
        s.line.show({{"copy: data", 100}, {std::to_string(i), 90}});
      }
    });
  }
  for (auto& t : threads) t.join();
  // Every log line starts right after an erase: never after status text.
  size_t pos = 0;
  int lines = 0;
  while ((pos = s.written.find("line ", pos)) != std::string::npos) {
    ASSERT_GE(pos, 4u);
    EXPECT_EQ(s.written.substr(pos - 4, 4), "\r\033[K")
        << s.written.substr(pos >= 20 ? pos - 20 : 0, 40);
    ++pos;
    ++lines;
  }
  EXPECT_EQ(lines, 800);
}

}  // namespace
}  // namespace pgshuttle
