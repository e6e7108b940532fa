// pgshuttle man / pgshuttle completion bash|zsh: the manual page and the
// shell completions, generated from the CLI definitions themselves so they
// never drift from the commands. Hidden commands: the build runs them to
// make the files `cmake --install` and the .deb install. CLI11 formats
// --help but writes neither roff nor completion scripts, hence this file.
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "cli/command.h"

namespace pgshuttle::cli {
namespace {

// Commands shown to users: those with a group (hidden ones have none).
std::vector<const CLI::App*> visible_subcommands(const CLI::App& app) {
  std::vector<const CLI::App*> out;
  for (const CLI::App* sub : app.get_subcommands({})) {
    if (!sub->get_group().empty()) out.push_back(sub);
  }
  return out;
}

// A command's named options; --help only at the top (every command has it).
std::vector<const CLI::Option*> named_options(const CLI::App& app) {
  std::vector<const CLI::Option*> out;
  for (const CLI::Option* o : app.get_options()) {
    if (o->get_positional() || o->get_group().empty()) continue;
    if (app.get_parent() != nullptr && o->check_lname("help")) continue;
    out.push_back(o);
  }
  return out;
}

// Text as roff prints it: backslashes and hyphens escaped, no line taken
// for a request (a leading '.' or ').
std::string roff(const std::string& text) {
  std::string out;
  bool line_start = true;
  for (char c : text) {
    if (line_start && (c == '.' || c == '\'')) out += "\\&";
    if (c == '\\') {
      out += "\\e";
    } else if (c == '-') {
      out += "\\-";
    } else {
      out += c;
    }
    line_start = c == '\n';
  }
  return out;
}

// "--jobs N" / "-v, --verbose" for an option's .TP heading.
std::string option_heading(const CLI::Option& o) {
  std::string names;
  for (const auto& s : o.get_snames()) names += (names.empty() ? "-" : ", -") + s;
  for (const auto& l : o.get_lnames()) names += (names.empty() ? "--" : ", --") + l;
  std::string heading = "\\fB" + roff(names) + "\\fR";
  if (o.get_expected_max() != 0) {  // a flag expects no value
    std::string value = o.get_type_name().empty() ? "VALUE" : o.get_type_name();
    heading += " \\fI" + roff(value) + "\\fR";
  }
  return heading;
}

std::string usage_of(const CLI::App& cmd, const std::string& path) {
  std::string usage = path;
  for (const CLI::Option* o : cmd.get_options()) {
    if (o->get_positional()) usage += " " + o->get_name();
  }
  if (!named_options(cmd).empty()) usage += " [OPTIONS]";
  return usage;
}

void write_command(std::ostream& out, const CLI::App& cmd, const std::string& path) {
  auto subs = visible_subcommands(cmd);
  if (subs.empty()) {
    out << ".SS \"" << roff(usage_of(cmd, path)) << "\"\n" << roff(cmd.get_description()) << "\n";
    for (const CLI::Option* o : cmd.get_options()) {
      if (!o->get_positional()) continue;
      out << ".TP\n\\fI" << roff(o->get_name()) << "\\fR\n" << roff(o->get_description()) << "\n";
    }
    for (const CLI::Option* o : named_options(cmd)) {
      out << ".TP\n" << option_heading(*o) << "\n" << roff(o->get_description()) << "\n";
    }
    return;
  }
  for (const CLI::App* sub : subs) write_command(out, *sub, path + " " + sub->get_name());
}

// The description after "pgshuttle: ".
std::string summary(const CLI::App& app) {
  const std::string& d = app.get_description();
  size_t colon = d.find(": ");
  return colon == std::string::npos ? d : d.substr(colon + 2);
}

std::string man_page(const CLI::App& app) {
  std::ostringstream out;
  out << ".TH PGSHUTTLE 1 \"\" \"pgshuttle " PGSHUTTLE_VERSION "\" \"User Commands\"\n"
      << ".SH NAME\npgshuttle \\- " << roff(summary(app)) << "\n"
      << ".SH SYNOPSIS\n\\fBpgshuttle\\fR [\\fIGLOBAL OPTIONS\\fR] \\fICOMMAND\\fR "
         "[\\fIARGUMENTS\\fR] [\\fIOPTIONS\\fR]\n"
      << ".SH DESCRIPTION\n"
      << roff(
             "pgshuttle moves a PostgreSQL database from one server or managed provider to "
             "another, through a pg_dump archive in a file or in S3 or directly, and proves "
             "that nothing was lost. Each step of a migration is a command; migrate runs them "
             "all, resumably. Every command takes --json.")
      << "\n.SH GLOBAL OPTIONS\n";
  for (const CLI::Option* o : named_options(app)) {
    out << ".TP\n" << option_heading(*o) << "\n" << roff(o->get_description()) << "\n";
  }
  out << ".SH COMMANDS\n";
  for (const CLI::App* sub : visible_subcommands(app)) {
    write_command(out, *sub, "pgshuttle " + sub->get_name());
  }
  out << ".SH EXIT STATUS\n"
      << roff(
             "0 on success; 2 for a usage error; 6 when verify found a difference; 9 when "
             "cancelled; 12 when a command finished with warnings; every other failure cause has "
             "its own code, listed in the README under \"Exit codes\".")
      << "\n.SH ENVIRONMENT\n"
      << ".TP\n\\fBPGSHUTTLE_STATE_DIR\\fR\n"
      << roff("Where the state database lives (also --state-dir).") << "\n"
      << ".TP\n\\fBPGSHUTTLE_PG_BINDIR\\fR\n"
      << roff("Folders (colon-separated) holding pg_dump, pg_restore and psql of other majors.")
      << "\n.TP\n\\fBPGPASSWORD\\fR, \\fBPGPASSFILE\\fR, \\fBPGSERVICEFILE\\fR\n"
      << roff("Passwords, read as libpq reads them; never pass one on the command line.")
      << "\n.TP\n\\fBAWS_ACCESS_KEY_ID\\fR, \\fBAWS_SECRET_ACCESS_KEY\\fR, "
         "\\fBAWS_SESSION_TOKEN\\fR, \\fBAWS_REGION\\fR, \\fBAWS_PROFILE\\fR, "
         "\\fBAWS_ENDPOINT_URL\\fR\n"
      << roff("S3 credentials, region and endpoint, as the AWS CLI reads them.") << "\n"
      << ".SH FILES\n.TP\n\\fI~/.local/state/pgshuttle/transfers.db\\fR\n"
      << roff("Transfer records, resume progress and migration records (mode 0600).") << "\n";
  return out.str();
}

// Words completing each command path: its subcommands and options.
void collect_words(const CLI::App& cmd, const std::string& path,
                   std::vector<std::pair<std::string, std::string>>& out) {
  std::string words;
  for (const CLI::App* sub : visible_subcommands(cmd)) {
    words += (words.empty() ? "" : " ") + sub->get_name();
  }
  for (const CLI::Option* o : named_options(cmd)) {
    for (const auto& l : o->get_lnames()) words += (words.empty() ? "--" : " --") + l;
  }
  out.emplace_back(path, words);
  for (const CLI::App* sub : visible_subcommands(cmd)) {
    collect_words(*sub, path.empty() ? sub->get_name() : path + " " + sub->get_name(), out);
  }
}

std::string bash_completion(const CLI::App& app) {
  std::vector<std::pair<std::string, std::string>> paths;
  collect_words(app, "", paths);
  std::ostringstream out;
  out << "# bash completion for pgshuttle (generated by `pgshuttle completion bash`)\n"
      << "_pgshuttle() {\n"
      << "  local cur=\"${COMP_WORDS[COMP_CWORD]}\" path=\"\" i word\n"
      << "  # The command path so far: the words before the cursor that are commands.\n"
      << "  for ((i = 1; i < COMP_CWORD; i++)); do\n"
      << "    word=\"${COMP_WORDS[i]}\"\n"
      << "    case \"$word\" in -*) continue ;; esac\n"
      << "    case \" $(_pgshuttle_words \"$path\") \" in\n"
      << "      *\" $word \"*) path=\"${path:+$path }$word\" ;;\n"
      << "    esac\n"
      << "  done\n"
      << "  COMPREPLY=($(compgen -W \"$(_pgshuttle_words \"$path\")\" -- \"$cur\"))\n"
      << "}\n"
      << "_pgshuttle_words() {\n"
      << "  case \"$1\" in\n";
  for (const auto& [path, words] : paths) {
    out << "    \"" << path << "\") echo \"" << words << "\" ;;\n";
  }
  out << "  esac\n}\n"
      << "complete -o default -F _pgshuttle pgshuttle\n";
  return out.str();
}

std::string zsh_completion(const CLI::App& app) {
  return "#compdef pgshuttle\n# zsh completion for pgshuttle (generated by `pgshuttle completion "
         "zsh`): the bash completion through zsh's bashcompinit.\n"
         "autoload -U +X bashcompinit && bashcompinit\n" +
         bash_completion(app);
}

void register_docs(CLI::App& app, CliContext& ctx) {
  auto* man = app.add_subcommand("man", "Print the manual page (roff)");
  man->group("");
  const CLI::App* root = &app;
  man->callback([&ctx, root] {
    ctx.run = [root] {
      std::cout << man_page(*root);
      return ok_status();
    };
  });
  auto shell = std::make_shared<std::string>();
  auto* completion = app.add_subcommand("completion", "Print a shell completion script");
  completion->group("");
  completion->add_option("SHELL", *shell, "bash or zsh")
      ->required()
      ->check(CLI::IsMember({"bash", "zsh"}));
  completion->callback([&ctx, root, shell] {
    ctx.run = [root, shell] {
      std::cout << (*shell == "zsh" ? zsh_completion(*root) : bash_completion(*root));
      return ok_status();
    };
  });
}

}  // namespace

PGSHUTTLE_COMMAND(docs, register_docs);

}  // namespace pgshuttle::cli
