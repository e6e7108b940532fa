// Connection: a move-only owner of one libpq connection, and QueryResult, a
// move-only owner of one PGresult. Raw libpq handles never leave src/pg/.
//
// Each connection knows which side it is on (source or target), so a failure
// becomes ErrorCode::kSource or kTarget (or kAuth for a refused password)
// and the CLI exits with the right code.
//
// Thread safety: one thread per Connection (libpq's rule); different
// connections may be used from different threads.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "pg/conninfo.h"

struct pg_conn;
struct pg_cancel;
struct pg_result;

namespace pgshuttle::pg {

enum class Side { kSource, kTarget };
std::string_view side_name(Side side);

class QueryResult {
 public:
  QueryResult() = default;
  explicit QueryResult(pg_result* r);
  QueryResult(QueryResult&&) noexcept = default;
  QueryResult& operator=(QueryResult&&) noexcept = default;

  int rows() const;
  int columns() const;
  bool is_null(int row, int col) const;
  // The text value; empty string for NULL.
  std::string get(int row, int col) const;
  std::string_view view(int row, int col) const;
  std::optional<std::string> get_optional(int row, int col) const;
  int64_t get_int(int row, int col) const;
  bool get_bool(int row, int col) const;
  int column_index(std::string_view name) const;  // -1 when absent
  std::string column_name(int col) const;
  // Number of rows affected (for INSERT/UPDATE/DELETE/COPY); 0 when unknown.
  int64_t affected_rows() const;

 private:
  struct Deleter {
    void operator()(pg_result* r) const;
  };
  std::unique_ptr<pg_result, Deleter> result_;
};

class Connection {
 public:
  // Connects; `application_name` defaults to "pgshuttle".
  static Result<Connection> connect(const ConnInfo& info, Side side);

  Connection(Connection&&) noexcept;
  Connection& operator=(Connection&&) noexcept;
  ~Connection();

  Side side() const { return side_; }
  // e.g. 150018 for 15.18.
  int server_version() const;
  std::string database() const;
  std::string user() const;

  // Runs one or more statements with no parameters.
  Status exec(std::string_view sql);
  // Runs a query and returns its rows.
  Result<QueryResult> query(std::string_view sql);
  // Runs a query with text parameters ($1, $2 ...; nullopt is NULL).
  Result<QueryResult> query(std::string_view sql,
                            const std::vector<std::optional<std::string>>& params);

  // COPY ... TO STDOUT: starts it; then read chunks until nullopt.
  Status copy_out_start(std::string_view copy_sql);
  // Returns the next chunk (one or more rows), or nullopt at the end.
  Result<std::optional<std::string_view>> copy_out_chunk();

  // COPY ... FROM STDIN: start, put data, end (end returns the rows loaded).
  Status copy_in_start(std::string_view copy_sql);
  Status copy_in_put(std::string_view data);
  Result<int64_t> copy_in_end();
  // Aborts a COPY FROM STDIN with `reason`.
  void copy_in_abort(std::string_view reason);

  // COPY BOTH, as START_REPLICATION on a replication connection opens it
  // (copy_both.cpp): start it; read the next CopyData message, waiting up to
  // `timeout` (nullopt when none came; the bytes stay valid until the next
  // read; the server ending the copy is an error with its reason); send one
  // CopyData message, flushed before returning.
  Status copy_both_start(std::string_view sql);
  Result<std::optional<std::string_view>> copy_data_read(std::chrono::milliseconds timeout);
  Status copy_data_send(std::string_view data);

  // Asks the server to cancel the running statement. Thread-safe, also
  // against this object being assigned a new session meanwhile (a retried
  // step replaces its lost session while a CancelWatch watches it).
  void cancel_running();
  // The backend process id, for pg_terminate_backend in tests.
  int backend_pid() const;

  // An Error from the connection's last failure, with SQLSTATE and a hint.
  Error last_error(std::string_view what) const;

  // Quotes an identifier / literal using the connection's encoding rules.
  std::string quote_ident(std::string_view name) const;
  std::string quote_literal(std::string_view value) const;
  // A literal in the plain '...' form only (quotes doubled by libpq's
  // PQescapeStringConn, never E'...'), the one form replication commands
  // accept. A value with a backslash is refused unless the server reported
  // standard_conforming_strings on (then the backslash stays as it is).
  Result<std::string> quote_plain_literal(std::string_view value) const;

 private:
  Connection(pg_conn* conn, Side side);
  Error result_error(pg_result* r, std::string_view sql) const;

  struct Deleter {
    void operator()(pg_conn* c) const;
  };
  struct CancelDeleter {
    void operator()(pg_cancel* c) const;
  };
  std::unique_ptr<pg_conn, Deleter> conn_;
  Side side_;
  char* copy_buffer_ = nullptr;
  // The session's cancel handle, made once; guarded by cancel_mu_, which
  // stays with this object (a move takes the handle, not the mutex).
  std::mutex cancel_mu_;
  std::unique_ptr<pg_cancel, CancelDeleter> cancel_;
};

// The statement of `sql` an error is about, for its message: the one
// holding the server's error `position` (1-based; 0 when the server gave
// none, then the first statement that is not BEGIN or a SET), on one line,
// cut at a word boundary after 300 characters. Exposed for tests.
std::string statement_context(std::string_view sql, int position);

// Quotes an identifier with no connection at hand: always in double quotes,
// as libpq's PQescapeIdentifier writes it (never a keyword-dependent form).
// Prefer Connection::quote_ident or names quoted by the server (format('%I')).
std::string quote_ident(std::string_view name);
// Quotes a literal with standard_conforming_strings on.
std::string quote_literal(std::string_view value);

}  // namespace pgshuttle::pg
