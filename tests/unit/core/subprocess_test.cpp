#include "core/subprocess.h"

#include <gtest/gtest.h>

#include <cstdlib>

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

// pgshuttle's own secrets stay in pgshuttle: a child sees the basics it
// needs (PATH, locale, HOME, TMPDIR), what `env` sets, and nothing else
// unless `inherit` names it.
TEST(Subprocess, ChildInheritsOnlyTheBasics) {
  ::setenv("AWS_SECRET_ACCESS_KEY", "marker-aws-secret-4711", 1);
  ::setenv("GITHUB_TOKEN", "marker-token-4711", 1);
  ::setenv("LC_TIME", "C.UTF-8", 1);
  ::setenv("TMPDIR", "/tmp", 1);
  SubprocessOptions o;
  o.argv = {"env"};
  o.env["PGPASSFILE"] = "/somewhere/pgpass";
  auto out = run_and_capture(o);
  ASSERT_TRUE(out.ok()) << out.error().to_string();
  std::string lines = "\n" + *out;
  EXPECT_EQ(lines.find("marker-"), std::string::npos) << lines;
  EXPECT_EQ(lines.find("AWS_"), std::string::npos) << lines;
  EXPECT_NE(lines.find("\nPATH=/"), std::string::npos) << lines;
  EXPECT_NE(lines.find("\nLC_TIME=C.UTF-8\n"), std::string::npos) << lines;
  EXPECT_NE(lines.find("\nTMPDIR=/tmp\n"), std::string::npos) << lines;
  EXPECT_NE(lines.find("\nPGPASSFILE=/somewhere/pgpass\n"), std::string::npos) << lines;

  o.inherit = {"*"};
  out = run_and_capture(o);
  ASSERT_TRUE(out.ok()) << out.error().to_string();
  EXPECT_NE(out->find("AWS_SECRET_ACCESS_KEY=marker-aws-secret-4711"), std::string::npos);
  ::unsetenv("AWS_SECRET_ACCESS_KEY");
  ::unsetenv("GITHUB_TOKEN");
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
