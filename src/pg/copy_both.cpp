// Connection's COPY BOTH mode (START_REPLICATION) and the plain literal the
// replication grammar needs; kept apart from connection.cpp, which holds
// the ordinary query and COPY paths.
#include <libpq-fe.h>
#include <poll.h>

#include <fmt/format.h>

#include <cerrno>
#include <chrono>

#include "pg/connection.h"

namespace pgshuttle::pg {

Status Connection::copy_both_start(std::string_view sql) {
  pg_result* r = PQexec(conn_.get(), std::string(sql).c_str());
  QueryResult holder(r);
  if (!r || PQresultStatus(r) != PGRES_COPY_BOTH) {
    return r ? result_error(r, sql) : last_error("starting the stream failed");
  }
  return ok_status();
}

Result<std::optional<std::string_view>> Connection::copy_data_read(
    std::chrono::milliseconds timeout) {
  using Clock = std::chrono::steady_clock;
  if (copy_buffer_) {
    PQfreemem(copy_buffer_);
    copy_buffer_ = nullptr;
  }
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    int n = PQgetCopyData(conn_.get(), &copy_buffer_, 1);
    if (n > 0) return std::optional<std::string_view>(std::string_view(copy_buffer_, n));
    if (n == -1) {
      // The server ended the copy: its result says why (an error, mostly).
      pg_result* r = PQgetResult(conn_.get());
      QueryResult holder(r);
      Error err = r && PQresultStatus(r) != PGRES_COMMAND_OK
                      ? result_error(r, "START_REPLICATION")
                      : make_error(side_ == Side::kSource ? ErrorCode::kSource : ErrorCode::kTarget,
                                   "the server ended the replication stream");
      while (pg_result* extra = PQgetResult(conn_.get())) PQclear(extra);
      return err;
    }
    if (n == -2) return last_error("reading the replication stream failed");
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return std::optional<std::string_view>();
    pollfd fd{PQsocket(conn_.get()), POLLIN, 0};
    int ready = poll(&fd, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno != EINTR) {
      return make_error(side_ == Side::kSource ? ErrorCode::kSource : ErrorCode::kTarget,
                        fmt::format("waiting for the replication stream failed: errno {}", errno));
    }
    if (ready > 0 && PQconsumeInput(conn_.get()) != 1) {
      return last_error("reading the replication stream failed");
    }
  }
}

Status Connection::copy_data_send(std::string_view data) {
  if (PQputCopyData(conn_.get(), data.data(), static_cast<int>(data.size())) != 1 ||
      PQflush(conn_.get()) != 0) {
    return last_error("sending to the replication stream failed");
  }
  return ok_status();
}

Result<std::string> Connection::quote_plain_literal(std::string_view value) const {
  const char* scs = PQparameterStatus(conn_.get(), "standard_conforming_strings");
  bool standard = scs && std::string_view(scs) == "on";
  if (!standard && value.find('\\') != std::string_view::npos) {
    return make_error(ErrorCode::kUsage,
                      "a name with a backslash needs standard_conforming_strings on");
  }
  std::string out(value.size() * 2 + 1, '\0');
  int error = 0;
  size_t n = PQescapeStringConn(conn_.get(), out.data(), value.data(), value.size(), &error);
  if (error) return last_error("quoting a literal failed");
  out.resize(n);
  return "'" + out + "'";
}

}  // namespace pgshuttle::pg
