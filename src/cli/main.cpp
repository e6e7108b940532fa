// pgshuttle's entry point: parse the command line, run the chosen command,
// print its error once and exit with the error's code. Everything else lives
// in the libraries.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <unistd.h>

#include "cli/command.h"
#include "core/cancel.h"
#include "core/log.h"
#include "core/progress.h"
#include "core/redact.h"

namespace {

// Which kinds of secret the command line held, for the warnings that follow.
struct ArgvSecrets {
  bool password = false;
  bool presigned_url = false;
};

// Overwrites, in place, every secret in argv (a URI's password, password=,
// a presigned URL's X-Amz-Signature): `ps` and /proc/PID/cmdline show argv
// to every user of the machine for as long as the process runs, and a
// migration runs for hours. CLI11 holds its own copies by now. The length
// stays, so nothing after the secret moves.
ArgvSecrets hide_secrets_in_argv(int argc, char** argv) {
  ArgvSecrets found;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg(argv[i]);
    std::string masked = pgshuttle::mask_secrets(arg);
    if (masked == arg) continue;
    std::copy(masked.begin(), masked.end(), argv[i]);
    bool presigned =
        masked.find("X-Amz-") != std::string::npos || masked.find("x-amz-") != std::string::npos;
    (presigned ? found.presigned_url : found.password) = true;
  }
  return found;
}

void warn_about_argv_secrets(const ArgvSecrets& secrets) {
  using pgshuttle::log::warn;
  if (secrets.password) {
    warn(
        "a password on the command line is visible to other users of this machine (ps) while "
        "pgshuttle starts; pass it in PGPASSWORD, ~/.pgpass (PGPASSFILE), a service file "
        "(service=NAME, PGSERVICEFILE) or DATABASE_URL (for the command's one database) "
        "instead");
  }
  if (secrets.presigned_url) {
    warn(
        "a presigned URL on the command line is visible to other users of this machine (ps) while "
        "pgshuttle starts, and grants access until it expires; prefer s3://bucket/key with AWS "
        "credentials from the environment");
  }
}

// An exception thrown on a thread that does not catch it (a bug): say so
// before the process aborts, rather than dying with no word.
[[noreturn]] void last_words() {
  static const char kText[] =
      "pgshuttle: internal error: an unexpected exception ended the process; this is a bug, "
      "please report it with the log (`pgshuttle transfers ID --log` shows a run's)\n";
  ssize_t ignored = ::write(2, kText, sizeof kText - 1);
  (void)ignored;
  std::abort();
}

// The index in argv of the command word: the first argument that is
// neither a global option nor the value of one; argc when there is none.
int command_index(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    std::string_view a(argv[i]);
    if (a == "--state-dir") {
      ++i;
      continue;
    }
    if (!a.empty() && a[0] == '-') continue;
    return i;
  }
  return argc;
}

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

CLI::App* find_command(CLI::App& app, std::string_view name) {
  for (auto* sub : app.get_subcommands({})) {
    if (sub->get_name() == name) return sub;
  }
  return nullptr;
}

// `pgshuttle help CMD` is `pgshuttle CMD --help`; an unknown command word
// is refused naming the nearest command (CLI11 would only say that a
// subcommand is required). Returns the exit code when it answered.
std::optional<int> help_or_unknown_command(CLI::App& app, int argc, char** argv) {
  int i = command_index(argc, argv);
  if (i >= argc) return std::nullopt;
  std::string word = argv[i];
  if (word == "help") {
    if (i + 1 >= argc) {
      std::cout << app.help();
      return 0;
    }
    auto* sub = find_command(app, argv[i + 1]);
    if (sub == nullptr) {
      word = argv[i + 1];
    } else {
      std::cout << sub->help("pgshuttle");
      return 0;
    }
  } else if (find_command(app, word) != nullptr) {
    return std::nullopt;
  }
  std::string nearest;
  size_t best = 3;  // more edits than this is no suggestion
  for (const auto* sub : app.get_subcommands({})) {
    size_t d = edit_distance(word, sub->get_name());
    if (d < best) {
      best = d;
      nearest = sub->get_name();
    }
  }
  std::cerr << "pgshuttle: unknown command '" << pgshuttle::redact(word) << "'"
            << (nearest.empty() ? "" : "; did you mean '" + nearest + "'?")
            << "\nhint: pgshuttle --help lists the commands\n";
  return static_cast<int>(pgshuttle::ErrorCode::kUsage);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace pgshuttle;
  cli::CliContext context;
  CLI::App app{"pgshuttle: move a PostgreSQL database between servers and prove nothing was lost",
               "pgshuttle"};
  app.set_version_flag("--version", std::string("pgshuttle ") + PGSHUTTLE_VERSION);
  app.require_subcommand(1);
  app.fallthrough();
  app.add_flag("--json", context.json, "Print machine-readable JSON on stdout");
  app.add_flag("-v,--verbose", context.verbose, "Print debug log lines");
  app.add_flag("-q,--quiet", context.quiet, "Print only warnings and errors");
  if (const char* dir = std::getenv("PGSHUTTLE_STATE_DIR")) context.state_dir = dir;
  app.add_option("--state-dir", context.state_dir,
                 "State folder: transfers, resume progress (default ~/.local/state/pgshuttle)");
  cli::add_all_commands(app, context);
  if (auto answered = help_or_unknown_command(app, argc, argv)) return *answered;

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : static_cast<int>(ErrorCode::kUsage);
  }

  ArgvSecrets secrets = hide_secrets_in_argv(argc, argv);
  if (context.verbose) log::set_level(log::Level::kDebug);
  if (context.quiet) log::set_level(log::Level::kWarn);
  warn_about_argv_secrets(secrets);
  if (context.json) Progress::set_quiet(true);
  install_cancel_handlers();
  if (!context.run) return static_cast<int>(ErrorCode::kUsage);

  // Last resort: an exception escaping a command is a bug. Caught here, the
  // stack unwinds (a running transfer is recorded Failed by its
  // TransferRun) and the user gets a message and exit 1, not an abort.
  std::set_terminate(last_words);
  Status status = ok_status();
  try {
    status = context.run();
  } catch (const std::exception& e) {
    status = make_error(ErrorCode::kInternal, std::string("unexpected exception: ") + e.what(),
                        "this is a bug in pgshuttle; please report it with the command's log");
  }
  if (status.ok()) return 0;
  const Error& e = status.error();
  if (context.json && !context.printed_json) context.print_json_error(e);
  if (e.code != ErrorCode::kWarnings && e.code != ErrorCode::kVerifyFailed) {
    log::error("{}", e.to_string());
  } else if (!e.message.empty()) {
    log::warn("{}", e.to_string());
  }
  return static_cast<int>(e.code);
}
