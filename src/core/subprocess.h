// Subprocess: a child program (pg_dump, pg_restore, psql) run with an explicit
// argv and environment, its stdout readable as a stream and its stderr
// collected for error messages.
//
// Secrets never go in argv (visible to every user through `ps`): pass them in
// `env` (PGPASSWORD) or, better, a 0600 passfile (see pg/passfile.h).
// Nor does a child inherit pgshuttle's environment wholesale: only the
// variables `inherit` names pass, so AWS_SECRET_ACCESS_KEY and other tokens
// the user gave pgshuttle never reach pg_dump, psql or what they run.
// The child runs in its own process group so kill() reaches its children.
// The destructor kills and reaps a child that is still running.
//
// Thread safety: one thread per Subprocess; move-only.
#pragma once

#include <sys/types.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"

namespace pgshuttle {

// What every child needs to run and speak the user's language: PATH, HOME,
// USER, LOGNAME, LANG, LANGUAGE, LC_*, TZ, TMPDIR.
std::vector<std::string> default_inherited_env();

struct SubprocessOptions {
  std::vector<std::string> argv;  // argv[0] is looked up in PATH
  // Descriptors the child keeps (their close-on-exec flag is cleared in the
  // child only): a passfile's memfd (pg/passfile.h).
  std::vector<int> inherit_fds;
  std::map<std::string, std::optional<std::string>> env;  // set (value) or unset (nullopt)
  // Variables of this process's environment the child sees unless `env`
  // overrides them: exact names, or prefixes ending in '*' ({"*"}: all of
  // them, for tests that run pgshuttle itself as a user would).
  std::vector<std::string> inherit = default_inherited_env();
  bool capture_stdout = false;  // else stdout goes to /dev/null
  bool pipe_stdin = false;      // else stdin is /dev/null
  std::string stdout_file;      // if set, stdout is written there
};

class Subprocess {
 public:
  static Result<Subprocess> spawn(const SubprocessOptions& options);

  Subprocess(Subprocess&& other) noexcept;
  Subprocess& operator=(Subprocess&& other) noexcept;
  Subprocess(const Subprocess&) = delete;
  Subprocess& operator=(const Subprocess&) = delete;
  ~Subprocess();

  pid_t pid() const { return pid_; }

  // Reads up to `size` bytes of the child's stdout; returns 0 at end of
  // stream. Requires capture_stdout.
  Result<size_t> read_stdout(char* buffer, size_t size);
  // Writes all of `data` to the child's stdin. Requires pipe_stdin.
  Status write_stdin(std::string_view data);
  // Closes the child's stdin (end of input).
  void close_stdin();

  // Waits for the child; returns its exit status (0..255, or 128+signal).
  Result<int> wait();
  // Sends `signal` to the child's process group.
  void kill(int signal);

  // Everything the child wrote to stderr so far (complete after wait()).
  const std::string& stderr_text() const { return stderr_text_; }

 private:
  Subprocess() = default;
  void drain_stderr(bool block);
  void reset();

  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  int stdin_fd_ = -1;
  int stderr_fd_ = -1;
  std::string stderr_text_;
  std::optional<int> exit_status_;
};

// Runs a command to completion, returning its stdout. Fails with the
// command's stderr when it exits non-zero.
Result<std::string> run_and_capture(const SubprocessOptions& options);

}  // namespace pgshuttle
