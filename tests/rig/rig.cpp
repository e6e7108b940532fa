#include "rig/rig.h"

#include <gtest/gtest.h>
#include <unistd.h>
#include <ctime>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>
#include <stdexcept>

#include "core/subprocess.h"
#include "pg/conninfo.h"

namespace pgshuttle::rig {
namespace {

std::map<std::string, std::string> load_env() {
  std::map<std::string, std::string> out;
  const char* path = std::getenv("PGSHUTTLE_RIG_ENV");
  if (!path) path = PGSHUTTLE_DEFAULT_RIG_ENV;
  std::ifstream in(path);
  if (!in)
    throw std::runtime_error(std::string("cannot read rig env ") + path +
                             " (start it: ctest runs rig.start)");
  for (std::string line; std::getline(in, line);) {
    auto eq = line.find('=');
    if (eq != std::string::npos) out[line.substr(0, eq)] = line.substr(eq + 1);
  }
  return out;
}

std::string with_db(const std::string& url, const std::string& db, const std::string& user = "",
                    const std::string& password = "") {
  auto info = pg::ConnInfo::parse(url);
  if (!info.ok()) throw std::runtime_error("bad url");
  auto i = info->with("dbname", db);
  if (!user.empty()) i = i.with("user", user).with("password", password);
  auto eff = i.effective();
  return "postgresql://" + eff["user"] + ":" + i.password() + "@" + eff["host"] + ":" +
         eff["port"] + "/" + db;
}

}  // namespace

const std::map<std::string, std::string>& env() {
  static const auto e = load_env();
  return e;
}

std::string env(const std::string& key) {
  auto it = env().find(key);
  if (it == env().end()) throw std::runtime_error("rig.env lacks " + key);
  return it->second;
}

std::string unique_name(const std::string& prefix) {
  static std::atomic<int> counter{0};
  // The pid alone repeats across runs on one machine, and a name reused
  // finds what an earlier run left under /tmp (a state directory with its
  // transfers): the start time of this process makes it new.
  static const std::string run =
      std::to_string(getpid()) + "_" + std::to_string(time(nullptr) % 1000000);
  return prefix + "_" + run + "_" + std::to_string(++counter);
}

ScratchDatabase::ScratchDatabase(Server server, const std::string& prefix)
    : server_(server), name_(unique_name(prefix)) {
  std::string admin = server == Server::kSource ? env("RIG_SOURCE_ADMIN") : env("RIG_TARGET_ADMIN");
  std::string owner = server == Server::kSource ? "postgres" : env("RIG_TARGET_APP_USER");
  psql(admin, "CREATE DATABASE " + name_ + " OWNER " + owner);
}

ScratchDatabase::~ScratchDatabase() {
  std::string admin =
      server_ == Server::kSource ? env("RIG_SOURCE_ADMIN") : env("RIG_TARGET_ADMIN");
  try {
    psql(admin, "DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
  } catch (...) {
  }
}

std::string ScratchDatabase::url() const {
  if (server_ == Server::kSource) return with_db(env("RIG_SOURCE_ADMIN"), name_);
  return with_db(env("RIG_TARGET_ADMIN"), name_, env("RIG_TARGET_APP_USER"),
                 env("RIG_TARGET_APP_PASSWORD"));
}

std::string ScratchDatabase::admin_url() const {
  return with_db(server_ == Server::kSource ? env("RIG_SOURCE_ADMIN") : env("RIG_TARGET_ADMIN"),
                 name_);
}

CommandResult run_program(const std::vector<std::string>& argv,
                          const std::map<std::string, std::string>& extra_env) {
  SubprocessOptions o;
  o.argv = argv;
  o.inherit = {"*"};  // as a user's shell would: S3 credentials, rig settings
  o.capture_stdout = true;
  for (const auto& [k, v] : extra_env) o.env[k] = v;
  CommandResult r;
  auto p = Subprocess::spawn(o);
  if (!p.ok()) throw std::runtime_error(p.error().to_string());
  char buf[65536];
  for (;;) {
    auto n = p->read_stdout(buf, sizeof buf);
    if (!n.ok() || *n == 0) break;
    r.out.append(buf, *n);
  }
  auto rc = p->wait();
  r.exit_code = rc.ok() ? *rc : -1;
  r.err = p->stderr_text();
  return r;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::string toc_entry_lines(const std::string& listing) {
  std::istringstream in(listing);
  std::string line, out;
  while (std::getline(in, line)) {
    if (!line.empty() && line[0] != ';') out += line + "\n";
  }
  return out;
}

std::string pgshuttle_bin() {
  const char* bin = std::getenv("PGSHUTTLE_BIN");
  return bin ? bin : PGSHUTTLE_DEFAULT_BIN;
}

CommandResult run_pgshuttle(const std::vector<std::string>& args,
                            const std::map<std::string, std::string>& extra_env) {
  std::vector<std::string> argv{pgshuttle_bin()};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_program(argv, extra_env);
}

std::string psql(const std::string& url, const std::string& sql) {
  auto r =
      run_program({"psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql});
  if (r.exit_code != 0) throw std::runtime_error("psql failed: " + r.err + "\nSQL: " + sql);
  while (!r.out.empty() && r.out.back() == '\n') r.out.pop_back();
  return r.out;
}

void psql_file(const std::string& url, const std::string& file,
               const std::map<std::string, std::string>& vars) {
  std::vector<std::string> argv{"psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url, "-f", file};
  for (const auto& [k, v] : vars) {
    argv.push_back("-v");
    argv.push_back(k + "=" + v);
  }
  auto r = run_program(argv);
  if (r.exit_code != 0) throw std::runtime_error("psql -f " + file + " failed: " + r.err);
}

std::string source_dir() {
  const char* dir = std::getenv("PGSHUTTLE_SOURCE_DIR");
  return dir ? dir : PGSHUTTLE_DEFAULT_SOURCE_DIR;
}

void load_fixture(const std::string& url, int scale) {
  psql_file(url, source_dir() + "/fixture/fixture.sql", {{"scale", std::to_string(scale)}});
}

void load_sample(const std::string& url, const std::string& name) {
  // Chinook's script drops, creates and \c-connects to its own database;
  // load its body into the scratch database instead.
  std::ifstream in(source_dir() + "/tests/data/samples/" + name + "/" + name + ".sql");
  std::string tmp = "/tmp/" + unique_name("sample") + ".sql";
  {
    std::ofstream out(tmp);
    for (std::string line; std::getline(in, line);) {
      if (line.rfind("DROP DATABASE", 0) == 0 || line.rfind("CREATE DATABASE", 0) == 0 ||
          line.rfind("\\c ", 0) == 0) {
        continue;
      }
      out << line << '\n';
    }
  }
  psql_file(url, tmp);
  std::remove(tmp.c_str());
}

}  // namespace pgshuttle::rig
