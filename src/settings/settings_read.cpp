// Reading pg_settings and pg_db_role_setting; exporting pg_settings as CSV.
#include <cstdio>
#include <fstream>
#include <iostream>

#include "settings/settings.h"
#include "sql/settings.h"

namespace pgshuttle::settings {

Result<bool> server_has_setting(pg::Connection& conn, const std::string& name) {
  auto known = conn.query("SELECT pg_catalog.current_setting($1, true) IS NOT NULL", {name});
  if (known.ok()) return known->get_bool(0, 0);
  if (known.error().sqlstate == "42501") return true;  // there, but hidden from this role
  return known.error();
}

Result<ServerSettings> read_settings(pg::Connection& conn) {
  ServerSettings out;
  out.database = conn.database();
  out.user = conn.user();
  PGS_ASSIGN_OR_RETURN(auto rows, conn.query(sql::settings::settings));
  for (int i = 0; i < rows.rows(); ++i) {
    out.settings.push_back({rows.get(i, 0), rows.get(i, 1), rows.get(i, 2), rows.get(i, 3),
                            rows.get(i, 4), rows.get(i, 5), rows.get(i, 6)});
  }
  PGS_ASSIGN_OR_RETURN(auto ov, conn.query(sql::settings::overrides));
  for (int i = 0; i < ov.rows(); ++i) {
    out.overrides.push_back({ov.get(i, 0), ov.get_bool(i, 1), ov.get(i, 2), ov.get(i, 3)});
  }
  PGS_ASSIGN_OR_RETURN(auto roles, conn.query(sql::settings::roles));
  for (int i = 0; i < roles.rows(); ++i) {
    out.roles.insert(roles.get(i, 0));
    out.is_superuser = roles.get_bool(i, 1);
  }
  return out;
}

Status export_csv(pg::Connection& conn, const std::string& path) {
  std::ofstream file;
  std::ostream* out = &std::cout;
  if (path != "-") {
    file.open(path, std::ios::binary | std::ios::trunc);
    if (!file) {
      return make_error(ErrorCode::kUsage, "cannot write " + path,
                        "check that the directory exists and is writable");
    }
    out = &file;
  }
  PGS_TRY(
      conn.copy_out_start("COPY (SELECT * FROM pg_settings ORDER BY name) TO STDOUT "
                          "WITH (FORMAT csv, HEADER)"));
  for (;;) {
    PGS_ASSIGN_OR_RETURN(auto chunk, conn.copy_out_chunk());
    if (!chunk) break;
    out->write(chunk->data(), static_cast<std::streamsize>(chunk->size()));
  }
  out->flush();
  if (!*out) {
    return make_error(ErrorCode::kDiskFull, "writing " + path + " failed",
                      "check free space on the device");
  }
  return ok_status();
}

}  // namespace pgshuttle::settings
