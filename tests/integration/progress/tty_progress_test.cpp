// What a user at a narrow terminal sees: backup, restore and copy run in a
// 45-column tmux pane against the rig, the pane captured every 100 ms while
// the command runs and once after it exited. The progress line must stay
// on one row of its own (never glued to a log line, never wrapped, never
// left behind as a new row per redraw), name its phase, and read 100 % only
// in its final line, which the finished command leaves on screen. In a
// pipe, the last progress line logged is that final line.
#include <gtest/gtest.h>

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "rig/rig.h"

namespace pgshuttle {
namespace {

using rig::ScratchDatabase;
using rig::Server;

constexpr int kColumns = 45;

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string::npos) nl = text.size();
    std::string line = text.substr(start, nl - start);
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out.push_back(line);
    start = nl + 1;
  }
  while (!out.empty() && out.back().empty()) out.pop_back();
  return out;
}

size_t columns_of(const std::string& s) {
  size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
  return n;
}

// One command in a detached tmux session of its own (its own server
// socket), captured until it exits.
class TmuxRun {
 public:
  explicit TmuxRun(const std::vector<std::string>& args) {
    socket_ = rig::unique_name("pgs_tty");
    dir_ = "/tmp/" + socket_;
    std::filesystem::create_directories(dir_);
    std::ofstream script(dir_ + "/run.sh");
    script << "export PGSHUTTLE_STATE_DIR='" << dir_ << "/state'\n'" << rig::pgshuttle_bin() << "'";
    for (const auto& a : args) script << " '" << a << "'";
    script << "\necho $? >'" << dir_ << "/rc.tmp'\nmv '" << dir_ << "/rc.tmp' '" << dir_
           << "/rc'\nexec sleep 600\n";
  }
  ~TmuxRun() {
    tmux({"kill-server"});
    std::filesystem::remove_all(dir_);
  }

  // Runs the command; returns its exit code (-1: no exit within the limit).
  int run(std::chrono::seconds limit) {
    auto r = tmux({"new-session", "-d", "-s", socket_, "-x", std::to_string(kColumns), "-y", "20",
                   "sh " + dir_ + "/run.sh"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      std::string rc = rc_text();
      if (!rc.empty()) {
        final_ = capture();
        return std::stoi(rc);
      }
      running_.push_back(capture());
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return -1;
  }

  const std::vector<std::vector<std::string>>& running() const { return running_; }
  const std::vector<std::string>& final_capture() const { return final_; }

 private:
  rig::CommandResult tmux(std::vector<std::string> args) {
    args.insert(args.begin(), {"tmux", "-L", socket_});
    return rig::run_program(args);
  }
  // The whole pane with its history, wrapped rows joined (-J): a line
  // wider than the pane shows as one long line.
  std::vector<std::string> capture() {
    return lines_of(tmux({"capture-pane", "-p", "-J", "-S", "-", "-t", socket_}).out);
  }
  std::string rc_text() {
    std::ifstream in(dir_ + "/rc");
    std::string rc;
    std::getline(in, rc);
    return rc;
  }

  std::string socket_, dir_;
  std::vector<std::vector<std::string>> running_;
  std::vector<std::string> final_;
};

const std::regex kLogMarker(R"(\d\d:\d\d:\d\d (info|warning|error|debug): )");
const std::regex kProgressLine(R"(^(backup|restore|copy|checksum|verify): )");
// The final line: "restore: 75.6 MiB / 75.6 MiB 100% in 3.1s (24.0 MiB/s)".
const std::regex kFinalLine(R"( in \d+(\.\d)?s| in \d+m\d\ds| in \d+h\d\dm)");

bool is_progress(const std::string& line) { return std::regex_search(line, kProgressLine); }
bool is_final(const std::string& line) {
  return is_progress(line) && std::regex_search(line, kFinalLine);
}

// Checks one capture; `running`: taken while the command ran.
void expect_clean(const std::vector<std::string>& capture, bool running, const std::string& what) {
  std::string shown;
  for (const auto& l : capture) shown += l + "\n";
  int live = 0;
  for (size_t i = 0; i < capture.size(); ++i) {
    const std::string& line = capture[i];
    std::smatch m;
    if (std::regex_search(line, m, kLogMarker)) {
      EXPECT_EQ(m.position(0), 0) << what << ": a log line glued to another:\n" << line;
    }
    if (!is_progress(line)) continue;
    EXPECT_LE(columns_of(line), static_cast<size_t>(kColumns))
        << what << ": a progress line wider than the terminal:\n"
        << line;
    if (line.find("100%") != std::string::npos) {
      EXPECT_TRUE(is_final(line)) << what << ": 100% before the end:\n" << line;
    }
    if (is_final(line)) continue;
    ++live;
    EXPECT_TRUE(running) << what << ": a progress line left after the command exited:\n" << shown;
    EXPECT_EQ(i + 1, capture.size())
        << what << ": a progress line that is not the last line (one row per redraw?):\n"
        << shown;
  }
  EXPECT_LE(live, 1) << what << ":\n" << shown;
}

// Runs `args` in the pane and checks every capture; returns the captures.
void expect_tty_progress(const std::vector<std::string>& args, const std::string& label,
                         const std::set<std::string>& phases) {
  TmuxRun run(args);
  ASSERT_EQ(run.run(std::chrono::seconds(300)), 0) << label;
  ASSERT_GE(run.running().size(), 3u) << label << ": too fast to be captured while running";
  std::set<std::string> seen;
  const std::regex phase("^" + label + R"(: ([a-z-]+))");
  int renders = 0;
  for (const auto& capture : run.running()) {
    expect_clean(capture, true, label + " (running)");
    for (const auto& line : capture) {
      std::smatch m;
      if (std::regex_search(line, m, phase) && !is_final(line)) {
        seen.insert(m[1]);
        ++renders;
      }
    }
  }
  expect_clean(run.final_capture(), false, label + " (final)");
  EXPECT_GE(renders, 2) << label << ": the progress line was seen fewer than twice";
  bool phase_seen = false;
  for (const auto& p : phases) phase_seen = phase_seen || seen.count(p) > 0;
  std::string seen_text;
  for (const auto& p : seen) seen_text += p + " ";
  EXPECT_TRUE(phase_seen) << label << ": phases seen: " << seen_text;
  bool hundred = false;
  for (const auto& line : run.final_capture()) {
    hundred = hundred || (is_final(line) && line.find("100%") != std::string::npos);
  }
  std::string shown;
  for (const auto& l : run.final_capture()) shown += l + "\n";
  EXPECT_TRUE(hundred) << label << ": no final 100% line:\n" << shown;
}

TEST(TtyProgress, BackupRestoreAndCopyAtFortyFiveColumns) {
  ScratchDatabase source(Server::kSource, "tty_src");
  // About 76 MB: each command takes a few seconds, several redraws.
  rig::load_fixture(source.admin_url(), 40);
  std::string archive = "/tmp/" + rig::unique_name("tty") + ".dump";
  expect_tty_progress({"backup", source.admin_url(), "--to", archive}, "backup", {"dump"});

  ScratchDatabase restored(Server::kTarget, "tty_rs");
  expect_tty_progress({"restore", archive, "--target", restored.url(), "--jobs", "2"}, "restore",
                      {"data", "indexes"});
  std::filesystem::remove(archive);

  ScratchDatabase copied(Server::kTarget, "tty_cp");
  expect_tty_progress({"copy", source.admin_url(), copied.url(), "--jobs", "2"}, "copy",
                      {"data", "indexes"});
}

// In a pipe the progress is logged; the last such line of each run is its
// final line (no ETA left standing after a finished command).
void expect_piped_final(const std::vector<std::string>& args, const std::string& label) {
  auto r = rig::run_pgshuttle(args, {{"PGSHUTTLE_STATE_DIR", "/tmp/" + rig::unique_name("tty")}});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::regex logged(R"(^\d\d:\d\d:\d\d info: )" + label + ": ");
  std::string last;
  for (const auto& line : lines_of(r.err)) {
    if (std::regex_search(line, logged)) last = line.substr(line.find(label + ": "));
  }
  EXPECT_TRUE(is_final(last)) << label << ": the last progress line is not a final one:\n" << r.err;
  EXPECT_EQ(last.find("ETA"), std::string::npos) << last;
}

TEST(PipedProgress, EndsWithTheFinalLine) {
  ScratchDatabase source(Server::kSource, "pipe_src");
  rig::load_fixture(source.admin_url(), 8);
  std::string archive = "/tmp/" + rig::unique_name("pipe") + ".dump";
  expect_piped_final({"backup", source.admin_url(), "--to", archive, "--no-checksum"}, "backup");
  std::filesystem::remove(archive);
  ScratchDatabase copied(Server::kTarget, "pipe_cp");
  expect_piped_final({"copy", source.admin_url(), copied.url(), "--no-verify"}, "copy");
}

}  // namespace
}  // namespace pgshuttle
