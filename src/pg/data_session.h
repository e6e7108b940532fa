// A data session: a connection whose output and input settings are pinned
// (sql/pg/data_session.sql) so that every value means the same on both
// servers, and whose reads can never be filtered by row-level security.
// Every session that reads or writes rows uses it.
#pragma once

#include <string_view>

#include "core/result.h"
#include "pg/connection.h"

namespace pgshuttle::pg {

// Pins the settings; `client_encoding`, when given, is set too (copy uses
// the source database's encoding on both ends, as a dump does).
Status pin_data_session(Connection& conn, std::string_view client_encoding = {});

// Connects and pins.
Result<Connection> connect_data_session(const ConnInfo& info, Side side,
                                        std::string_view client_encoding = {});

}  // namespace pgshuttle::pg
