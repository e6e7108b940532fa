// Passfile: a private (0600) libpq password file in a private temp directory,
// for child processes (pg_dump, pg_restore, psql) that need a password.
// The password travels through PGPASSFILE, never argv or a log.
// The file and its directory are removed when the Passfile is destroyed.
//
// Thread safety: move-only value; not shared between threads.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "core/result.h"
#include "pg/conninfo.h"

namespace pgshuttle::pg {

class Passfile {
 public:
  // Writes a passfile for `info` when it carries a password; otherwise the
  // object is empty and env() only removes nothing.
  static Result<Passfile> create(const ConnInfo& info);

  Passfile(Passfile&& other) noexcept;
  Passfile& operator=(Passfile&& other) noexcept;
  Passfile(const Passfile&) = delete;
  Passfile& operator=(const Passfile&) = delete;
  ~Passfile();

  const std::string& path() const { return path_; }
  // Environment for a libpq child (pg_dump, pg_restore, psql): the libpq
  // variables of this process (PG*, as the user set them: PGHOST, PGSSLMODE,
  // PGSERVICEFILE, ...) and the Kerberos ones GSSAPI reads; PGPASSFILE set
  // when there is a password, and PGPASSWORD removed so an inherited one
  // cannot override it. Children inherit nothing else of pgshuttle's
  // environment beyond the basics (core/subprocess.h).
  std::map<std::string, std::optional<std::string>> env() const;

 private:
  Passfile() = default;
  std::string dir_;
  std::string path_;
};

}  // namespace pgshuttle::pg
