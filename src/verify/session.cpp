#include "verify/session.h"

#include "pg/data_session.h"

#include "core/log.h"

namespace pgshuttle::verify {
namespace {

constexpr std::string_view kBegin = "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY";

Result<pg::Connection> connect_pinned(const pg::ConnInfo& info, pg::Side side) {
  PGS_ASSIGN_OR_RETURN(
      auto conn, pg::Connection::connect(info.with("application_name", "pgshuttle verify"), side));
  PGS_TRY(pg::pin_data_session(conn));
  return conn;
}

}  // namespace

Result<SideSnapshot> SideSnapshot::open(const pg::ConnInfo& info, pg::Side side) {
  PGS_ASSIGN_OR_RETURN(auto conn, connect_pinned(info, side));
  PGS_TRY(conn.exec(kBegin));
  std::string id;
  auto exported = conn.query("SELECT pg_export_snapshot()");
  if (exported.ok()) {
    id = exported->get(0, 0);
  } else {
    log::warn("{}: cannot export a snapshot ({}); each worker reads its own snapshot",
              pg::side_name(side), exported.error().message);
    PGS_TRY(conn.exec("ROLLBACK"));
    PGS_TRY(conn.exec(kBegin));
  }
  return SideSnapshot(info, std::move(conn), std::move(id));
}

Result<pg::Connection> SideSnapshot::open_worker() const {
  PGS_ASSIGN_OR_RETURN(auto conn, connect_pinned(info_, coordinator_.side()));
  PGS_TRY(conn.exec(kBegin));
  if (!snapshot_id_.empty()) {
    PGS_TRY(conn.exec("SET TRANSACTION SNAPSHOT " + conn.quote_literal(snapshot_id_)));
  }
  return conn;
}

}  // namespace pgshuttle::verify
