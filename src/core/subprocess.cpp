#include "core/subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>
#include <cerrno>
#include <cstring>

extern char** environ;

namespace pgshuttle {
namespace {

Error sys_error(std::string_view what) {
  return make_error(ErrorCode::kInternal, fmt::format("{}: {}", what, std::strerror(errno)));
}

void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

bool inherited(std::string_view name, const std::vector<std::string>& inherit) {
  for (std::string_view pattern : inherit) {
    if (!pattern.empty() && pattern.back() == '*') {
      pattern.remove_suffix(1);
      if (name.substr(0, pattern.size()) == pattern) return true;
    } else if (name == pattern) {
      return true;
    }
  }
  return false;
}

std::vector<std::string> build_env(const SubprocessOptions& o) {
  std::map<std::string, std::string> merged;
  for (char** e = environ; e && *e; ++e) {
    std::string_view kv(*e);
    auto eq = kv.find('=');
    if (eq == std::string_view::npos || !inherited(kv.substr(0, eq), o.inherit)) continue;
    merged[std::string(kv.substr(0, eq))] = std::string(kv.substr(eq + 1));
  }
  for (const auto& [k, v] : o.env) {
    if (v)
      merged[k] = *v;
    else
      merged.erase(k);
  }
  std::vector<std::string> out;
  out.reserve(merged.size());
  for (const auto& [k, v] : merged) out.push_back(k + "=" + v);
  return out;
}

}  // namespace

std::vector<std::string> default_inherited_env() {
  return {"PATH", "HOME", "USER", "LOGNAME", "LANG", "LANGUAGE", "LC_*", "TZ", "TMPDIR"};
}

Result<Subprocess> Subprocess::spawn(const SubprocessOptions& options) {
  if (options.argv.empty()) return make_error(ErrorCode::kInternal, "empty argv");
  int out_pipe[2] = {-1, -1}, in_pipe[2] = {-1, -1}, err_pipe[2] = {-1, -1};
  if (pipe2(err_pipe, O_CLOEXEC) != 0) return sys_error("pipe");
  if (options.capture_stdout && pipe2(out_pipe, O_CLOEXEC) != 0) return sys_error("pipe");
  if (options.pipe_stdin && pipe2(in_pipe, O_CLOEXEC) != 0) return sys_error("pipe");
  int file_fd = -1;
  if (!options.stdout_file.empty()) {
    file_fd = ::open(options.stdout_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (file_fd < 0) return sys_error("open " + options.stdout_file);
  }

  std::vector<std::string> env = build_env(options);
  std::vector<char*> envp, argv;
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::vector<std::string> args = options.argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  pid_t pid = fork();
  if (pid < 0) return sys_error("fork");
  if (pid == 0) {
    setpgid(0, 0);
    signal(SIGPIPE, SIG_DFL);
    int devnull = ::open("/dev/null", O_RDWR);
    dup2(options.pipe_stdin ? in_pipe[0] : devnull, 0);
    if (options.capture_stdout)
      dup2(out_pipe[1], 1);
    else if (file_fd >= 0)
      dup2(file_fd, 1);
    else
      dup2(devnull, 1);
    dup2(err_pipe[1], 2);
    for (int fd : options.inherit_fds) fcntl(fd, F_SETFD, 0);
    execvpe(argv[0], argv.data(), envp.data());
    dprintf(2, "cannot run %s: %s\n", argv[0], std::strerror(errno));
    _exit(127);
  }
  setpgid(pid, pid);
  Subprocess p;
  p.pid_ = pid;
  close_fd(err_pipe[1]);
  p.stderr_fd_ = err_pipe[0];
  if (options.capture_stdout) {
    close_fd(out_pipe[1]);
    p.stdout_fd_ = out_pipe[0];
  }
  if (options.pipe_stdin) {
    close_fd(in_pipe[0]);
    p.stdin_fd_ = in_pipe[1];
  }
  close_fd(file_fd);
  fcntl(p.stderr_fd_, F_SETFL, fcntl(p.stderr_fd_, F_GETFL) | O_NONBLOCK);
  return p;
}

Subprocess::Subprocess(Subprocess&& o) noexcept { *this = std::move(o); }

Subprocess& Subprocess::operator=(Subprocess&& o) noexcept {
  if (this != &o) {
    reset();
    pid_ = std::exchange(o.pid_, -1);
    stdout_fd_ = std::exchange(o.stdout_fd_, -1);
    stdin_fd_ = std::exchange(o.stdin_fd_, -1);
    stderr_fd_ = std::exchange(o.stderr_fd_, -1);
    stderr_text_ = std::move(o.stderr_text_);
    exit_status_ = std::exchange(o.exit_status_, std::nullopt);
  }
  return *this;
}

Subprocess::~Subprocess() { reset(); }

void Subprocess::reset() {
  if (pid_ > 0 && !exit_status_) {
    ::kill(-pid_, SIGKILL);
    int st;
    waitpid(pid_, &st, 0);
  }
  close_fd(stdout_fd_);
  close_fd(stdin_fd_);
  close_fd(stderr_fd_);
  pid_ = -1;
}

void Subprocess::drain_stderr(bool block) {
  if (stderr_fd_ < 0) return;
  char buf[4096];
  for (;;) {
    if (block) {
      pollfd p{stderr_fd_, POLLIN, 0};
      poll(&p, 1, -1);
    }
    ssize_t n = ::read(stderr_fd_, buf, sizeof buf);
    if (n > 0) {
      if (stderr_text_.size() < (1u << 20)) stderr_text_.append(buf, n);
      continue;
    }
    if (n == 0) close_fd(stderr_fd_);
    if (n < 0 && errno == EINTR) continue;
    return;
  }
}

Result<size_t> Subprocess::read_stdout(char* buffer, size_t size) {
  for (;;) {
    pollfd fds[2] = {{stdout_fd_, POLLIN, 0}, {stderr_fd_, POLLIN, 0}};
    int nfds = stderr_fd_ >= 0 ? 2 : 1;
    if (poll(fds, nfds, -1) < 0) {
      if (errno == EINTR) continue;
      return sys_error("poll");
    }
    if (nfds == 2 && fds[1].revents) drain_stderr(false);
    if (fds[0].revents) {
      ssize_t n = ::read(stdout_fd_, buffer, size);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return sys_error("read from child");
      return static_cast<size_t>(n);
    }
  }
}

Status Subprocess::write_stdin(std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(stdin_fd_, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return sys_error("write to child");
    data.remove_prefix(n);
    drain_stderr(false);
  }
  return ok_status();
}

void Subprocess::close_stdin() { close_fd(stdin_fd_); }

Result<int> Subprocess::wait() {
  if (exit_status_) return *exit_status_;
  close_stdin();
  drain_stderr(true);
  int st = 0;
  while (waitpid(pid_, &st, 0) < 0) {
    if (errno != EINTR) return sys_error("waitpid");
  }
  exit_status_ = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
  return *exit_status_;
}

void Subprocess::kill(int sig) {
  if (pid_ > 0 && !exit_status_) ::kill(-pid_, sig);
}

Result<std::string> run_and_capture(const SubprocessOptions& options) {
  SubprocessOptions o = options;
  o.capture_stdout = true;
  PGS_ASSIGN_OR_RETURN(Subprocess p, Subprocess::spawn(o));
  std::string out;
  char buf[65536];
  for (;;) {
    PGS_ASSIGN_OR_RETURN(size_t n, p.read_stdout(buf, sizeof buf));
    if (n == 0) break;
    out.append(buf, n);
  }
  PGS_ASSIGN_OR_RETURN(int rc, p.wait());
  if (rc != 0) {
    return make_error(ErrorCode::kInternal, fmt::format("{} exited with status {}: {}",
                                                        options.argv[0], rc, p.stderr_text()));
  }
  return out;
}

}  // namespace pgshuttle
