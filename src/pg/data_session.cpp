#include "pg/data_session.h"

#include "sql/pg.h"

namespace pgshuttle::pg {

Status pin_data_session(Connection& conn, std::string_view client_encoding) {
  PGS_TRY(conn.exec(sql::pg::data_session));
  if (client_encoding.empty()) return ok_status();
  return conn.exec("SET client_encoding = " + conn.quote_literal(client_encoding));
}

Result<Connection> connect_data_session(const ConnInfo& info, Side side,
                                        std::string_view client_encoding) {
  PGS_ASSIGN_OR_RETURN(auto conn, Connection::connect(info, side));
  PGS_TRY(pin_data_session(conn, client_encoding));
  return conn;
}

}  // namespace pgshuttle::pg
