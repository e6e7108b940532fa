// The integration-test rig as seen from C++: the servers CTest started
// (tests/rig/rig.sh, fixture 'rig'), scratch databases, psql, and running the
// pgshuttle binary as a user would.
//
// Every test creates databases and buckets with unique names, so tests run
// in parallel against the same servers.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace pgshuttle::rig {

// KEY=VALUE pairs of rig.env (RIG_SOURCE_ADMIN, S3_ENDPOINT, ...).
const std::map<std::string, std::string>& env();
std::string env(const std::string& key);

// A name unique across processes and calls: prefix_<pid>_<n>.
std::string unique_name(const std::string& prefix);

enum class Server { kSource, kTarget };

// A database created for one test and dropped (WITH FORCE) when it goes out of
// scope. On the target it is owned by the non-superuser application role.
class ScratchDatabase {
 public:
  ScratchDatabase(Server server, const std::string& prefix);
  ~ScratchDatabase();
  ScratchDatabase(const ScratchDatabase&) = delete;
  ScratchDatabase& operator=(const ScratchDatabase&) = delete;

  const std::string& name() const { return name_; }
  // URL with the credentials an application would use (superuser on the
  // source, the app role on the target).
  std::string url() const;
  // Superuser URL of the same database (for setup steps a test needs).
  std::string admin_url() const;

 private:
  Server server_;
  std::string name_;
};

// Runs SQL through psql (ON_ERROR_STOP); returns its unaligned, tuples-only output.
std::string psql(const std::string& url, const std::string& sql);
// Runs a SQL file with psql variables (-v name=value).
void psql_file(const std::string& url, const std::string& file,
               const std::map<std::string, std::string>& vars = {});
// Loads fixture/fixture.sql at `scale` into the database at `url` (superuser).
void load_fixture(const std::string& url, int scale = 1);
// Loads one of the sample databases under tests/data/samples/ (chinook, northwind).
void load_sample(const std::string& url, const std::string& name);

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};
// Runs the pgshuttle binary with `args` (and extra environment) and captures its output.
CommandResult run_pgshuttle(const std::vector<std::string>& args,
                            const std::map<std::string, std::string>& extra_env = {});
// Runs any program the same way.
CommandResult run_program(const std::vector<std::string>& argv,
                          const std::map<std::string, std::string>& extra_env = {});

// The whole content of a file.
std::string read_file(const std::string& path);
// The entry lines of a `pg_restore -l`-style listing, without its ';' header
// lines (they carry a timestamp format of their own).
std::string toc_entry_lines(const std::string& listing);

// Path of the pgshuttle binary under test.
std::string pgshuttle_bin();

// Path of the project's source tree.
std::string source_dir();

}  // namespace pgshuttle::rig
