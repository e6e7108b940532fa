#include "restore/fed_child.h"

#include <signal.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/cancel.h"
#include "core/fault.h"
#include "core/log.h"
#include "core/owned_temp.h"
#include "core/subprocess.h"

namespace pgshuttle::restore {

Result<ScratchDir> ScratchDir::create() {
  // Named after this host and pid, so that the next restore removes what a
  // killed one left (a destructor does not run after kill -9).
  constexpr std::string_view kPrefix = "pgshuttle-restore-";
  const std::string tmp = temp_dir();
  int removed = remove_dead_temps(tmp, kPrefix, kPrefix);
  if (removed > 0) log::info("removed {} scratch director(ies) left by killed restores", removed);
  std::string tmpl = owned_temp_template(tmp, kPrefix);
  if (!mkdtemp(tmpl.data())) {
    return make_error(ErrorCode::kStorage, "cannot create a temporary directory " + tmpl,
                      "set TMPDIR to a writable directory");
  }
  ScratchDir d;
  d.path_ = tmpl;
  return d;
}

ScratchDir::~ScratchDir() {
  if (path_.empty()) return;
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

namespace {

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Feeds the input; returns false when the child stopped reading.
Result<bool> feed(const ChildSpec& spec, Subprocess& child, ChildRun& run) {
  // Small chunks under the test hook, so that a delay per chunk slows the whole feed.
  std::string buf(fault::armed("restore:chunk") ? 4096 : 1 << 16, '\0');
  for (;;) {
    if (cancelled()) {
      run.cancelled = true;
      child.kill(SIGTERM);
      return false;
    }
    auto n = spec.input->read(buf.data(), buf.size());
    if (!n.ok()) {
      child.kill(SIGTERM);
      (void)child.wait();
      return std::move(n).error();
    }
    bool end = *n == 0;
    std::string_view chunk(buf.data(), *n);
    std::string transformed;
    if (spec.transform) {
      PGS_ASSIGN_OR_RETURN(transformed, spec.transform(chunk, end));
      chunk = transformed;
    }
    if (!chunk.empty() && !child.write_stdin(chunk).ok()) return false;
    fault::hit("restore:chunk");
    run.bytes_fed += *n;
    if (spec.progress) spec.progress->add(*n);
    if (end && spec.progress && !spec.phase_after_input.empty()) {
      spec.progress->set_phase(spec.phase_after_input);
    }
    if (end) return true;
  }
}

}  // namespace

Result<ChildRun> run_child(const ChildSpec& spec) {
  SubprocessOptions o;
  // The shell only redirects stderr; the arguments pass through "$@" unparsed.
  o.argv = {"sh", "-c", "exec \"$0\" \"$@\" 2>\"$PGSHUTTLE_CHILD_STDERR\""};
  o.argv.insert(o.argv.end(), spec.argv.begin(), spec.argv.end());
  o.env = spec.env;
  o.inherit_fds = spec.inherit_fds;
  o.env["PGSHUTTLE_CHILD_STDERR"] = spec.stderr_file;
  o.pipe_stdin = spec.input != nullptr;
  PGS_ASSIGN_OR_RETURN(Subprocess child, Subprocess::spawn(o));
  ChildRun run;
  if (spec.input) {
    PGS_ASSIGN_OR_RETURN(bool complete, feed(spec, child, run));
    run.input_refused = !complete && !run.cancelled;
    child.close_stdin();
  }
  PGS_ASSIGN_OR_RETURN(run.exit_status, child.wait());
  run.stderr_text = read_text(spec.stderr_file) + child.stderr_text();
  return run;
}

}  // namespace pgshuttle::restore
