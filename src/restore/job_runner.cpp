#include "restore/job_runner.h"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

#include "archive/data_block.h"
#include "core/cancel.h"
#include "core/fault.h"
#include "core/log.h"
#include "restore/copy_fanout.h"
#include "restore/restore_error.h"
#include "sql/restore.h"
#include "storage/crypto.h"

namespace pgshuttle::restore {

namespace {

constexpr size_t kChunk = 256 * 1024;
// Rows dealt to one session of a split load at a time: small enough that
// every session has rows waiting while the others are being written to.
constexpr size_t kBatch = 256 * 1024;
constexpr int kInvWrite = 0x20000;  // INV_WRITE of libpq's large-object API

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

// Counts the compressed bytes of one data block as a reader pulls them,
// for progress (a local file's stream may read ahead past the block), and
// the time spent waiting for them.
class CountingStream : public storage::ByteStream {
 public:
  CountingStream(std::unique_ptr<storage::ByteStream> inner, Progress& progress, uint64_t limit,
                 std::atomic<int64_t>& wait_ns, std::atomic<int64_t>& reads,
                 std::atomic<int64_t>& since_ns)
      : inner_(std::move(inner)),
        progress_(progress),
        left_(limit),
        wait_ns_(wait_ns),
        reads_(reads),
        since_ns_(since_ns) {}
  Result<size_t> read(char* buffer, size_t size) override {
    int64_t start = steady_now_ns();
    since_ns_ = start;
    auto r = inner_->read(buffer, size);
    int64_t end = steady_now_ns();
    // The wait total first, then "no read under way": a sampler between the
    // two sees the read twice for an instant, never not at all.
    wait_ns_ += end - start;
    since_ns_ = 0;
    ++reads_;
    PGS_ASSIGN_OR_RETURN(size_t n, std::move(r));
    uint64_t counted = std::min<uint64_t>(n, left_);
    left_ -= counted;
    progress_.add(counted);
    return n;
  }

 private:
  std::unique_ptr<storage::ByteStream> inner_;
  Progress& progress_;
  uint64_t left_;
  std::atomic<int64_t>& wait_ns_;
  std::atomic<int64_t>& reads_;
  std::atomic<int64_t>& since_ns_;
};

std::string first_line(std::string_view sql) {
  size_t nl = sql.find('\n');
  return std::string(sql.substr(0, nl));
}

Error cancelled_error(const RestoreJob& job) {
  return make_error(ErrorCode::kCancelled, "restore cancelled while loading " + job.label);
}

}  // namespace

std::string session_preamble(const archive::ArchiveToc& toc,
                             const std::string& maintenance_work_mem) {
  std::string sql;
  for (const auto& e : toc.entries) {
    if (e.desc == "ENCODING" || e.desc == "STDSTRINGS" || e.desc == "SEARCHPATH") sql += e.defn;
  }
  sql +=
      "SET statement_timeout = 0;\nSET lock_timeout = 0;\n"
      "SET idle_in_transaction_session_timeout = 0;\nSET check_function_bodies = false;\n"
      "SET xmloption = content;\nSET client_min_messages = warning;\nSET row_security = off;\n"
      "SET synchronous_commit = off;\n";
  // A literal for a SET made before the session exists; standard strings are
  // on (set above), so doubling quotes is the whole of the escaping.
  sql += "SET maintenance_work_mem = " + pg::quote_literal(maintenance_work_mem) + ";\n";
  return sql;
}

std::string freeze_copy_statement(std::string_view copy_stmt) {
  std::string s(copy_stmt);
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == ';')) s.pop_back();
  return s + " WITH (FREEZE)";
}

Status JobRunner::ensure_session() {
  if (conn_) return ok_status();
  PGS_ASSIGN_OR_RETURN(auto conn, pg::Connection::connect(target_, pg::Side::kTarget));
  PGS_TRY(conn.exec(preamble_));
  std::lock_guard lock(mu_);
  conn_.emplace(std::move(conn));
  tablespace_.reset();
  return ok_status();
}

void JobRunner::reset() { drop_sessions(); }

void JobRunner::drop_sessions() {
  std::lock_guard lock(mu_);
  conn_.reset();
  helpers_.clear();
}

void JobRunner::cancel() {
  std::lock_guard lock(mu_);
  if (conn_) conn_->cancel_running();
  for (auto& h : helpers_) h.cancel_running();
}

Status JobRunner::ensure_helpers(size_t count) {
  while (true) {
    {
      std::lock_guard lock(mu_);
      if (helpers_.size() >= count) return ok_status();
    }
    PGS_ASSIGN_OR_RETURN(auto conn, pg::Connection::connect(target_, pg::Side::kTarget));
    PGS_TRY(conn.exec(preamble_));
    std::lock_guard lock(mu_);
    helpers_.push_back(std::move(conn));
  }
}

Result<JobResult> JobRunner::run(const RestoreJob& job) {
  PGS_TRY(ensure_session());
  Result<JobResult> r = job.kind == JobKind::kTableData      ? table_data(job)
                        : job.kind == JobKind::kLargeObjects ? large_objects(job)
                                                             : statement(job);
  if (!r.ok()) return std::move(r).error().with_context(job.label);
  return r;
}

// FREEZE needs a plain table truncated in this transaction; data loaded
// through a partitioned root (--load-via-partition-root) cannot have it, and
// an extension configuration table must keep the rows CREATE EXTENSION put
// there (an empty `truncate` means: no TRUNCATE, no FREEZE).
Result<std::string> JobRunner::truncate_statement(const archive::TocEntry& e,
                                                  bool& extension_config) {
  extension_config = false;
  if (starts_with(e.defn, "-- load via partition root")) return std::string();
  if (e.relkind != 0 && e.relkind != 'r') return std::string();
  PGS_ASSIGN_OR_RETURN(auto r, conn_->query(sql::restore::table_load_kind,
                                            {e.namespace_name.value_or("public"), e.tag}));
  if (r.rows() != 1 || !r.get_bool(0, 0)) return std::string();
  if (!r.is_null(0, 2)) {
    extension_config = true;
    log::info(
        "{}: an extension's configuration table: the archive's rows are added to those "
        "CREATE EXTENSION made",
        r.get(0, 1));
    return std::string();
  }
  return "TRUNCATE TABLE ONLY " + r.get(0, 1);
}

Result<JobResult> JobRunner::table_data(const RestoreJob& job) {
  const archive::TocEntry& e = *job.entry;
  pg::Connection& conn = *conn_;
  bool extension_config = false;
  PGS_ASSIGN_OR_RETURN(std::string truncate, truncate_statement(e, extension_config));
  if (extension_config) {
    // A provider's pre-installed extension belongs to its admin, and the
    // application role may not write its configuration table: with no rows
    // of the source's own to add, there is nothing to write.
    PGS_ASSIGN_OR_RETURN(bool empty, block_is_empty(job));
    if (empty) {
      log::info("{}: no rows of the source's own to add", e.tag);
      return JobResult{};
    }
  }
  if (job.sessions > 1 && !truncate.empty()) {
    // Emptied and committed first: each session's COPY is a transaction of
    // its own. Not the owner: one session, without FREEZE, as below.
    if (conn.exec(truncate).ok()) return split_table_data(job);
    truncate.clear();
  }
  bool freeze = !truncate.empty();
  PGS_TRY(conn.exec("BEGIN"));
  if (freeze && !conn.exec(truncate).ok()) {
    // Not the owner (e.g. a data-only restore into someone else's table).
    PGS_TRY(conn.exec("ROLLBACK"));
    PGS_TRY(conn.exec("BEGIN"));
    freeze = false;
  }
  PGS_TRY(conn.copy_in_start(freeze ? freeze_copy_statement(e.copy_stmt) : e.copy_stmt));
  RowCounter counter;
  Status streamed = stream_block(job, conn, counter);
  if (!streamed.ok()) {
    conn.copy_in_abort(streamed.error().message);
    (void)conn.exec("ROLLBACK");
    return streamed.error();
  }
  PGS_ASSIGN_OR_RETURN(int64_t rows, conn.copy_in_end());
  if (rows != counter.rows()) {
    (void)conn.exec("ROLLBACK");
    return make_error(
        ErrorCode::kTarget,
        fmt::format("the archive holds {} rows but COPY loaded {}", counter.rows(), rows),
        "report this: the target did not take every row of the archive");
  }
  PGS_TRY(conn.exec("COMMIT"));
  JobResult result;
  result.rows = rows;
  return result;
}

Result<JobResult> JobRunner::split_table_data(const RestoreJob& job) {
  const archive::TocEntry& e = *job.entry;
  PGS_TRY(ensure_helpers(static_cast<size_t>(job.sessions - 1)));
  std::vector<pg::Connection*> sessions{&*conn_};
  for (auto& h : helpers_) sessions.push_back(&h);
  sessions.resize(static_cast<size_t>(job.sessions));
  RowCounter counter;
  int64_t rows = 0;
  Status loaded = [&]() -> Status {
    for (pg::Connection* s : sessions) {
      PGS_TRY(s->exec("BEGIN"));
      PGS_TRY(s->copy_in_start(e.copy_stmt));
    }
    CopyFanout fanout(job.sessions, kBatch, [&](int i, std::string_view batch) {
      return sessions[static_cast<size_t>(i)]->copy_in_put(batch);
    });
    PGS_ASSIGN_OR_RETURN(auto block, open_block(job));
    std::vector<char> buffer(kChunk);
    while (true) {
      if (cancelled()) return cancelled_error(job);
      PGS_ASSIGN_OR_RETURN(size_t n, block.read(buffer.data(), buffer.size()));
      if (n == 0) break;
      std::string_view data(buffer.data(), n);
      counter.feed(data);
      fault::hit("restore:chunk");
      PGS_TRY(fanout.feed(data));
    }
    PGS_TRY(fanout.finish());
    for (pg::Connection* s : sessions) {
      PGS_ASSIGN_OR_RETURN(int64_t got, s->copy_in_end());
      rows += got;
    }
    if (rows != counter.rows()) {
      return make_error(
          ErrorCode::kTarget,
          fmt::format("the archive holds {} rows but COPY loaded {}", counter.rows(), rows),
          "report this: the target did not take every row of the archive");
    }
    for (pg::Connection* s : sessions) PGS_TRY(s->exec("COMMIT"));
    return ok_status();
  }();
  if (!loaded.ok()) {
    drop_sessions();  // each server rolls back what its session had not committed
    return loaded.error();
  }
  {
    // The extra sessions go with the load: idle ones would count against
    // the target's connection limit for the rest of the restore.
    std::lock_guard lock(mu_);
    helpers_.clear();
  }
  JobResult result;
  result.rows = rows;
  return result;
}

Result<bool> JobRunner::block_is_empty(const RestoreJob& job) {
  PGS_ASSIGN_OR_RETURN(auto block, open_block(job));
  RowCounter counter;
  std::vector<char> buffer(kChunk);
  while (true) {
    PGS_ASSIGN_OR_RETURN(size_t n, block.read(buffer.data(), buffer.size()));
    if (n == 0) break;
    counter.feed(std::string_view(buffer.data(), n));
    if (counter.rows() > 0) return false;
  }
  return counter.rows() == 0;
}

Result<archive::DataBlockReader> JobRunner::open_block(const RestoreJob& job) {
  const archive::TocEntry& e = *job.entry;
  PGS_ASSIGN_OR_RETURN(auto raw, source_.open_stream_range(e.data_offset, job.data_bytes));
  auto counted = std::make_unique<CountingStream>(std::move(raw), progress_, job.data_bytes,
                                                  read_wait_ns_, reads_, read_since_ns_);
  // The block's extent: up to the next block, or for the last block up to
  // the archive's end, which check_data_extent (run before the target was
  // touched) found to be a block's end. A read past it is then damage (a
  // corrupt chunk length), not a short archive. Unknown without a size.
  uint64_t extent = job.data_bytes;
  auto total = source_.size();
  if (!total.ok() || e.data_offset >= *total) {
    extent = 0;
  } else if (e.data_offset + job.data_bytes >= *total) {
    extent = *total - e.data_offset;
  }
  return archive::DataBlockReader::from_stream(std::move(counted), toc_.header, e.dump_id,
                                               e.data_offset, extent);
}

Status JobRunner::stream_block(const RestoreJob& job, pg::Connection& conn, RowCounter& counter) {
  PGS_ASSIGN_OR_RETURN(auto block, open_block(job));
  std::vector<char> buffer(kChunk);
  while (true) {
    if (cancelled()) return cancelled_error(job);
    PGS_ASSIGN_OR_RETURN(size_t n, block.read(buffer.data(), buffer.size()));
    if (n == 0) return ok_status();
    counter.feed(std::string_view(buffer.data(), n));
    fault::hit("restore:chunk");
    PGS_TRY(conn.copy_in_put(std::string_view(buffer.data(), n)));
  }
}

Result<JobResult> JobRunner::large_objects(const RestoreJob& job) {
  pg::Connection& conn = *conn_;
  PGS_ASSIGN_OR_RETURN(auto block, open_block(job));
  JobResult result;
  PGS_TRY(conn.exec("BEGIN"));
  std::vector<char> buffer(kChunk);
  while (true) {
    if (cancelled()) return cancelled_error(job);
    PGS_ASSIGN_OR_RETURN(auto oid, block.next_large_object());
    if (!oid) break;
    // The schema pass created the object (lo_create); only its bytes are missing.
    PGS_ASSIGN_OR_RETURN(auto fd, conn.query("SELECT pg_catalog.lo_open($1::oid, $2)",
                                             {std::to_string(*oid), std::to_string(kInvWrite)}));
    std::string fd_text = fd.get(0, 0);
    while (true) {
      PGS_ASSIGN_OR_RETURN(size_t n, block.read(buffer.data(), buffer.size()));
      if (n == 0) break;
      std::string hex = "\\x" + storage::to_hex(std::string_view(buffer.data(), n));
      PGS_TRY(conn.query("SELECT pg_catalog.lowrite($1::integer, $2::bytea)", {fd_text, hex}));
    }
    PGS_TRY(conn.query("SELECT pg_catalog.lo_close($1::integer)", {fd_text}));
    ++result.large_objects;
  }
  PGS_TRY(conn.exec("COMMIT"));
  return result;
}

// Archives of pg_dump 17 and later group large objects: a "BLOB METADATA"
// entry's definition is the list of their OIDs, from which the restoring
// side creates them (pg_restore does the same); the data entry fills them.
std::string large_object_create_sql(const pg::Connection& conn, std::string_view oids) {
  std::string sql;
  size_t start = oids.find_first_of("0123456789");
  while (start != std::string_view::npos) {
    size_t end = oids.find_first_not_of("0123456789", start);
    std::string_view oid = oids.substr(start, end == std::string_view::npos ? end : end - start);
    sql += "SELECT pg_catalog.lo_create(" + conn.quote_literal(oid) + "::pg_catalog.oid);\n";
    start = end == std::string_view::npos ? end : oids.find_first_of("0123456789", end);
  }
  return sql;
}

Result<JobResult> JobRunner::statement(const RestoreJob& job) {
  const archive::TocEntry& e = *job.entry;
  pg::Connection& conn = *conn_;
  if (e.tablespace && tablespace_ != e.tablespace) {
    std::string ts = e.tablespace->empty() ? "''" : conn.quote_ident(*e.tablespace);
    PGS_TRY(conn.exec("SET default_tablespace = " + ts));
    tablespace_ = e.tablespace;
  }
  Status st = conn.exec(e.desc == "BLOB METADATA" ? large_object_create_sql(conn, e.defn) : e.defn);
  if (st.ok()) return JobResult{};
  const Error& err = st.error();
  bool lost = err.sqlstate.empty() || starts_with(err.sqlstate, "08") ||
              starts_with(err.sqlstate, "57") || err.sqlstate == "40P01";
  if (!lost && classify(err.message, first_line(e.defn)) == Severity::kWarning) {
    JobResult result;
    result.warning = err.message;
    return result;
  }
  return st.error();
}

}  // namespace pgshuttle::restore
