#include "pg/connection.h"

#include <libpq-fe.h>

#include <fmt/format.h>

#include <cstdlib>
#include <cstring>

#include "core/cancel.h"
#include "core/parse_number.h"
#include "core/redact.h"

namespace pgshuttle::pg {
namespace {

ErrorCode side_code(Side side) {
  return side == Side::kSource ? ErrorCode::kSource : ErrorCode::kTarget;
}

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// Turns libpq's connection failure text into a cause and a fix.
Error classify_connect_failure(const std::string& msg, Side side, const ConnInfo& info) {
  auto eff = info.effective();
  std::string where = fmt::format("{} database {} at {}:{} as {}", side_name(side), eff["dbname"],
                                  eff["host"], eff["port"], eff["user"]);
  Error e = make_error(side_code(side), fmt::format("cannot connect to {}: {}", where, msg));
  if (msg.find("password authentication failed") != std::string::npos ||
      msg.find("no password supplied") != std::string::npos ||
      msg.find("authentication failed") != std::string::npos) {
    e.code = ErrorCode::kAuth;
    e.hint = "check the password in the URL, PGPASSWORD or ~/.pgpass (PGPASSFILE)";
  } else if (msg.find("Connection refused") != std::string::npos ||
             msg.find("No such file or directory") != std::string::npos ||
             msg.find("timeout expired") != std::string::npos ||
             msg.find("Connection timed out") != std::string::npos ||
             msg.find("No route to host") != std::string::npos ||
             msg.find("Network is unreachable") != std::string::npos ||
             msg.find("too many clients") != std::string::npos) {
    e.hint = "is the server running and accepting connections on that host and port?";
    e.connection_lost = true;  // down, or restarting: a later attempt may connect
  } else if (msg.find("the database system is") != std::string::npos ||
             msg.find("server closed the connection") != std::string::npos) {
    // 57P03 (starting up, shutting down, in recovery) or a backend that
    // ended at once: libpq gives a failed connect no SQLSTATE, only text.
    e.hint = "the server is restarting or refused new sessions for now; retry when it is up";
    e.connection_lost = true;
  } else if (msg.find("database \"") != std::string::npos &&
             msg.find("does not exist") != std::string::npos) {
    // SQLSTATE 3D000 (libpq gives no SQLSTATE for a failed connection, only
    // its text): a script tells "no such database" from "server down".
    e.code = ErrorCode::kNotFound;
    e.hint =
        "create the database first (CREATE DATABASE, createdb, or the provider's console) or "
        "check its name in the connection string";
  } else if (msg.find("does not exist") != std::string::npos) {
    e.hint = "check the database and user names in the connection string";
  } else if (msg.find("could not translate host name") != std::string::npos) {
    e.hint = "check the host name in the connection string";
  } else if (msg.find("SSL") != std::string::npos) {
    e.hint = "check sslmode (e.g. sslmode=require) and the server's SSL setup";
  }
  return e;
}

}  // namespace

std::string_view side_name(Side side) { return side == Side::kSource ? "source" : "target"; }

void QueryResult::Deleter::operator()(pg_result* r) const { PQclear(r); }
QueryResult::QueryResult(pg_result* r) : result_(r) {}
int QueryResult::rows() const { return result_ ? PQntuples(result_.get()) : 0; }
int QueryResult::columns() const { return result_ ? PQnfields(result_.get()) : 0; }
bool QueryResult::is_null(int row, int col) const {
  return PQgetisnull(result_.get(), row, col) != 0;
}
std::string QueryResult::get(int row, int col) const { return std::string(view(row, col)); }
std::string_view QueryResult::view(int row, int col) const {
  return {PQgetvalue(result_.get(), row, col),
          static_cast<size_t>(PQgetlength(result_.get(), row, col))};
}
std::optional<std::string> QueryResult::get_optional(int row, int col) const {
  if (is_null(row, col)) return std::nullopt;
  return get(row, col);
}
int64_t QueryResult::get_int(int row, int col) const {
  return is_null(row, col) ? 0 : std::strtoll(PQgetvalue(result_.get(), row, col), nullptr, 10);
}
bool QueryResult::get_bool(int row, int col) const { return view(row, col) == "t"; }
int QueryResult::column_index(std::string_view name) const {
  return PQfnumber(result_.get(), std::string(name).c_str());
}
std::string QueryResult::column_name(int col) const { return PQfname(result_.get(), col); }
int64_t QueryResult::affected_rows() const {
  const char* s = PQcmdTuples(result_.get());
  return s && *s ? std::strtoll(s, nullptr, 10) : 0;
}

void Connection::Deleter::operator()(pg_conn* c) const { PQfinish(c); }

Connection::Connection(pg_conn* conn, Side side)
    : conn_(conn), side_(side), cancel_(conn ? PQgetCancel(conn) : nullptr) {}
Connection::Connection(Connection&& o) noexcept
    : conn_(std::move(o.conn_)),
      side_(o.side_),
      copy_buffer_(std::exchange(o.copy_buffer_, nullptr)) {
  std::lock_guard lock(o.cancel_mu_);
  cancel_ = std::move(o.cancel_);
}
Connection& Connection::operator=(Connection&& o) noexcept {
  if (this == &o) return *this;
  {
    std::scoped_lock lock(cancel_mu_, o.cancel_mu_);
    cancel_ = std::move(o.cancel_);
  }
  conn_ = std::move(o.conn_);
  side_ = o.side_;
  if (copy_buffer_) PQfreemem(copy_buffer_);
  copy_buffer_ = std::exchange(o.copy_buffer_, nullptr);
  return *this;
}
void Connection::CancelDeleter::operator()(pg_cancel* c) const { PQfreeCancel(c); }
Connection::~Connection() {
  if (copy_buffer_) PQfreemem(copy_buffer_);
}

Result<Connection> Connection::connect(const ConnInfo& info, Side side) {
  ConnInfo with_app =
      info.has("application_name") ? info : info.with("application_name", "pgshuttle");
  pg_conn* raw = PQconnectdb(with_app.to_keyword_string().c_str());
  Connection conn(raw, side);
  if (!raw) return make_error(side_code(side), "out of memory connecting");
  if (PQstatus(raw) != CONNECTION_OK) {
    return classify_connect_failure(redact(trim(PQerrorMessage(raw))), side, info);
  }
  // A password libpq found in ~/.pgpass or the environment must not leak either.
  if (const char* pw = PQpass(raw); pw && *pw) register_secret(pw);
  return conn;
}

int Connection::server_version() const { return PQserverVersion(conn_.get()); }
std::string Connection::database() const { return PQdb(conn_.get()); }
std::string Connection::user() const { return PQuser(conn_.get()); }
int Connection::backend_pid() const { return PQbackendPID(conn_.get()); }

Error Connection::last_error(std::string_view what) const {
  Error e = make_error(side_code(side_),
                       fmt::format("{}: {}", what, redact(trim(PQerrorMessage(conn_.get())))));
  if (PQstatus(conn_.get()) == CONNECTION_BAD) {
    e.hint = fmt::format("the connection to the {} server was lost; check that it is up and retry",
                         side_name(side_));
    e.connection_lost = true;
  }
  return e;
}

std::string statement_context(std::string_view sql, int position) {
  constexpr size_t kMax = 300;
  size_t begin = 0, end = sql.size();
  if (position > 0 && static_cast<size_t>(position) <= sql.size()) {
    // The statement holding the character the server pointed at (the
    // position counts characters; for the ASCII of pg_dump's keywords and
    // quoted names that is close enough to find the statement).
    size_t at = static_cast<size_t>(position) - 1;
    size_t prev = sql.rfind(";\n", at);
    begin = prev == std::string_view::npos ? 0 : prev + 2;
    size_t next = sql.find(";\n", at);
    end = next == std::string_view::npos ? sql.size() : next + 1;
  } else {
    // No position: the first statement that is not a transaction or
    // session wrapper (BEGIN; SET ...;) around the one that matters.
    while (begin < sql.size()) {
      size_t eol = sql.find('\n', begin);
      std::string_view line =
          sql.substr(begin, eol == std::string_view::npos ? sql.size() - begin : eol - begin);
      bool wrapper = line.empty() || line == "BEGIN;" || line.rfind("SET ", 0) == 0 ||
                     line.rfind("SELECT pg_catalog.set_config(", 0) == 0;
      if (!wrapper || eol == std::string_view::npos) break;
      begin = eol + 1;
    }
    // ... and without the COMMIT that closes the wrapper.
    std::string_view rest = sql.substr(begin);
    while (!rest.empty() && (rest.back() == '\n' || rest.back() == ' ')) rest.remove_suffix(1);
    if (rest.size() >= 7 && rest.substr(rest.size() - 7) == "COMMIT;") rest.remove_suffix(7);
    end = begin + rest.size();
  }
  // One line: runs of white space become one space.
  std::string out;
  for (size_t i = begin; i < end && i < sql.size(); ++i) {
    char c = sql[i];
    bool space = c == ' ' || c == '\n' || c == '\t' || c == '\r';
    if (space) {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else {
      out += c;
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  if (out.size() > kMax) {
    // Cut at a word boundary, never inside a multi-byte character.
    size_t cut = out.rfind(' ', kMax);
    if (cut == std::string::npos || cut < kMax / 2) {
      cut = kMax;
      while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
    }
    out = out.substr(0, cut) + " ...";
  }
  return out;
}

Error Connection::result_error(pg_result* r, std::string_view sql) const {
  const char* state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
  const char* primary = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
  const char* detail = PQresultErrorField(r, PG_DIAG_MESSAGE_DETAIL);
  const char* hint = PQresultErrorField(r, PG_DIAG_MESSAGE_HINT);
  std::string msg = primary ? primary : trim(PQerrorMessage(conn_.get()));
  if (detail) msg += fmt::format(" ({})", detail);
  Error e =
      make_error(side_code(side_), fmt::format("{} server: {}", side_name(side_), redact(msg)));
  e.sqlstate = state ? state : "";
  if (hint) e.hint = hint;
  const char* position = PQresultErrorField(r, PG_DIAG_STATEMENT_POSITION);
  e.context =
      redact(statement_context(sql, position ? parse_number<int>(position).value_or(0) : 0));
  if (e.sqlstate == "53100" || e.sqlstate == "53000") {
    // disk_full (insufficient_resources in general): not a failure a retry or
    // a fix of pgshuttle's input cures, so it gets an exit code of its own.
    e.code = ErrorCode::kDiskFull;
    e.hint = side_ == Side::kTarget
                 ? fmt::format(
                       "the target server is out of disk space and database {} is left partially "
                       "written; free space or grow its volume, then rerun (or drop {})",
                       PQdb(conn_.get()), PQdb(conn_.get()))
                 : "the source server is out of disk space (temporary files of a large sort or "
                   "hash?); free space on it, then rerun";
  }
  if (e.sqlstate == "57014" && cancelled()) {
    // query_canceled because this process is being cancelled (Ctrl-C,
    // `pgshuttle cancel`): the run was cancelled, not the server's fault.
    e.code = ErrorCode::kCancelled;
    e.message = fmt::format("cancelled (the {} server stopped the running statement on request)",
                            side_name(side_));
    e.context.clear();
  }
  if (PQstatus(conn_.get()) == CONNECTION_BAD) {
    e.connection_lost = true;
    if (e.hint.empty()) {
      e.hint =
          fmt::format("the connection to the {} server was lost; check that it is up and retry",
                      side_name(side_));
    }
  }
  return e;
}

Status Connection::exec(std::string_view sql) {
  PGS_TRY(query(sql));
  return ok_status();
}

Result<QueryResult> Connection::query(std::string_view sql) { return query(sql, {}); }

Result<QueryResult> Connection::query(std::string_view sql,
                                      const std::vector<std::optional<std::string>>& params) {
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
  std::string text(sql);
  pg_result* r = params.empty()
                     ? PQexec(conn_.get(), text.c_str())
                     : PQexecParams(conn_.get(), text.c_str(), static_cast<int>(values.size()),
                                    nullptr, values.data(), nullptr, nullptr, 0);
  if (!r) return last_error("query failed");
  auto status = PQresultStatus(r);
  if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK && status != PGRES_EMPTY_QUERY) {
    Error e = result_error(r, sql);
    PQclear(r);
    return e;
  }
  return QueryResult(r);
}

Status Connection::copy_out_start(std::string_view copy_sql) {
  pg_result* r = PQexec(conn_.get(), std::string(copy_sql).c_str());
  QueryResult holder(r);
  if (!r || PQresultStatus(r) != PGRES_COPY_OUT) {
    return r ? result_error(r, copy_sql) : last_error("COPY failed");
  }
  return ok_status();
}

Result<std::optional<std::string_view>> Connection::copy_out_chunk() {
  if (copy_buffer_) {
    PQfreemem(copy_buffer_);
    copy_buffer_ = nullptr;
  }
  int n = PQgetCopyData(conn_.get(), &copy_buffer_, 0);
  if (n > 0) return std::optional<std::string_view>(std::string_view(copy_buffer_, n));
  if (n == -1) {
    pg_result* r = PQgetResult(conn_.get());
    QueryResult holder(r);
    bool failed = !r || PQresultStatus(r) != PGRES_COMMAND_OK;
    Error err;
    if (failed) err = r ? result_error(r, "COPY TO STDOUT") : last_error("COPY TO STDOUT failed");
    while (pg_result* extra = PQgetResult(conn_.get())) PQclear(extra);
    if (failed) return err;
    return std::optional<std::string_view>();
  }
  return last_error("COPY TO STDOUT failed");
}

Status Connection::copy_in_start(std::string_view copy_sql) {
  pg_result* r = PQexec(conn_.get(), std::string(copy_sql).c_str());
  QueryResult holder(r);
  if (!r || PQresultStatus(r) != PGRES_COPY_IN) {
    return r ? result_error(r, copy_sql) : last_error("COPY failed");
  }
  return ok_status();
}

Status Connection::copy_in_put(std::string_view data) {
  if (PQputCopyData(conn_.get(), data.data(), static_cast<int>(data.size())) != 1) {
    return last_error("COPY FROM STDIN failed");
  }
  return ok_status();
}

Result<int64_t> Connection::copy_in_end() {
  if (PQputCopyEnd(conn_.get(), nullptr) != 1) return last_error("COPY FROM STDIN failed");
  pg_result* r = PQgetResult(conn_.get());
  QueryResult holder(r);
  Error err;
  bool failed = !r || PQresultStatus(r) != PGRES_COMMAND_OK;
  if (failed) err = r ? result_error(r, "COPY") : last_error("COPY failed");
  int64_t rows = failed ? 0 : holder.affected_rows();
  while (pg_result* extra = PQgetResult(conn_.get())) PQclear(extra);
  if (failed) return err;
  return rows;
}

void Connection::copy_in_abort(std::string_view reason) {
  PQputCopyEnd(conn_.get(), std::string(reason).c_str());
  while (pg_result* r = PQgetResult(conn_.get())) PQclear(r);
}

void Connection::cancel_running() {
  std::lock_guard lock(cancel_mu_);
  if (!cancel_) return;
  char buf[256];
  PQcancel(cancel_.get(), buf, sizeof buf);
}

std::string Connection::quote_ident(std::string_view name) const {
  char* q = PQescapeIdentifier(conn_.get(), name.data(), name.size());
  std::string out = q ? q : pg::quote_ident(name);
  if (q) PQfreemem(q);
  return out;
}

std::string Connection::quote_literal(std::string_view value) const {
  char* q = PQescapeLiteral(conn_.get(), value.data(), value.size());
  std::string out = q ? q : pg::quote_literal(value);
  if (q) PQfreemem(q);
  return out;
}

std::string quote_ident(std::string_view name) {
  // Always quoted, as PQescapeIdentifier does: deciding when quotes may be
  // left out needs the server's keyword list ("user", "order" and "select"
  // are valid names that mean something else unquoted).
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string quote_literal(std::string_view value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

}  // namespace pgshuttle::pg
