#include "core/subprocess.h"

#include <gtest/gtest.h>

namespace pgshuttle {
namespace {

TEST(Subprocess, CapturesStdoutAndPassesEnvironment) {
  SubprocessOptions o;
  o.argv = {"sh", "-c", "printf '%s' \"$SECRET_FOR_CHILD\""};
  o.env["SECRET_FOR_CHILD"] = "from-env";
  auto out = run_and_capture(o);
  ASSERT_TRUE(out.ok()) << out.error().to_string();
  EXPECT_EQ(*out, "from-env");
}

TEST(Subprocess, ReportsFailureWithStderr) {
  SubprocessOptions o;
  o.argv = {"sh", "-c", "echo broken >&2; exit 3"};
  auto out = run_and_capture(o);
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.error().message.find("status 3"), std::string::npos);
  EXPECT_NE(out.error().message.find("broken"), std::string::npos);
}

TEST(Subprocess, KillStopsTheChild) {
  SubprocessOptions o;
  o.argv = {"sleep", "30"};
  auto p = Subprocess::spawn(o);
  ASSERT_TRUE(p.ok());
  p->kill(SIGTERM);
  auto rc = p->wait();
  ASSERT_TRUE(rc.ok());
  EXPECT_EQ(*rc, 128 + SIGTERM);
}

TEST(Subprocess, StdinPipe) {
  SubprocessOptions o;
  o.argv = {"wc", "-c"};
  o.pipe_stdin = true;
  o.capture_stdout = true;
  auto p = Subprocess::spawn(o);
  ASSERT_TRUE(p.ok());
  ASSERT_TRUE(p->write_stdin("hello").ok());
  p->close_stdin();
  char buf[64];
  auto n = p->read_stdout(buf, sizeof buf);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(std::stoi(std::string(buf, *n)), 5);
  EXPECT_EQ(*p->wait(), 0);
}

}  // namespace
}  // namespace pgshuttle
