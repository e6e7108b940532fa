// Passfile: a libpq password file for child processes (pg_dump, pg_restore,
// psql) that need a password. The password travels through PGPASSFILE,
// never argv or a log.
//
// It lives in memory, not on disk: an anonymous memfd (mode 0600, which
// libpq requires) that the child inherits, named to libpq as
// /proc/self/fd/N. So nothing is left in TMPDIR when pgshuttle is killed
// (kill -9 runs no destructor). Where memfd_create or /proc is unavailable,
// it falls back to a 0600 file in a private directory under TMPDIR whose
// name carries this process's pid (core/owned_temp.h); each new Passfile
// removes the directories of processes that died.
//
// Thread safety: move-only value; not shared between threads.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "pg/conninfo.h"

namespace pgshuttle::pg {

class Passfile {
 public:
  // Makes a passfile for `info` when it carries a password; otherwise the
  // object is empty: env() only removes PGPASSWORD's override (nothing).
  static Result<Passfile> create(const ConnInfo& info);

  Passfile(Passfile&& other) noexcept;
  Passfile& operator=(Passfile&& other) noexcept;
  Passfile(const Passfile&) = delete;
  Passfile& operator=(const Passfile&) = delete;
  ~Passfile();

  // What PGPASSFILE names ("/proc/self/fd/N" or a file), "" when empty.
  const std::string& path() const { return path_; }
  // Environment for a libpq child (pg_dump, pg_restore, psql): the libpq
  // variables of this process (PG*, as the user set them: PGHOST, PGSSLMODE,
  // PGSERVICEFILE, ...) and the Kerberos ones GSSAPI reads; PGPASSFILE set
  // when there is a password, and PGPASSWORD removed so an inherited one
  // cannot override it. Children inherit nothing else of pgshuttle's
  // environment beyond the basics (core/subprocess.h).
  std::map<std::string, std::optional<std::string>> env() const;
  // Descriptors the child must inherit for path() to work (the memfd).
  std::vector<int> inherit_fds() const;

 private:
  Passfile() = default;
  Status create_in_memory(const std::string& line);
  Status create_on_disk(const std::string& line);

  int fd_ = -1;      // the memfd, when in memory
  std::string dir_;  // the private directory, when on disk
  std::string path_;
};

}  // namespace pgshuttle::pg
