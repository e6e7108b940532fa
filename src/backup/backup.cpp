#include "backup/backup.h"

#include <signal.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <unordered_map>

#include "archive/archive_toc.h"
#include "archive/block_scanner.h"
#include "backup/dump_progress.h"
#include "backup/stale_uploads.h"
#include "core/cancel.h"
#include "core/fault.h"
#include "core/human.h"
#include "core/log.h"
#include "core/progress.h"
#include "core/redact.h"
#include "core/subprocess.h"
#include "pg/connection.h"
#include "pg/passfile.h"
#include "pg/tools.h"
#include "sql/backup.h"
#include "state/transfer_run.h"
#include "storage/s3_client.h"
#include "storage/s3_location.h"
#include "storage/storage.h"
#include "storage/stored_digest.h"

namespace pgshuttle::backup {
namespace {

constexpr size_t kReadSize = 256 * 1024;
constexpr size_t kMaxTocBytes = 256u << 20;

// What the pg_dump child needs: argv without secrets, env with the passfile.
struct DumpCommand {
  SubprocessOptions spawn;
  pg::Passfile passfile;
};

Result<DumpCommand> dump_command(const BackupOptions& o, const pg::ConnInfo& info) {
  PGS_ASSIGN_OR_RETURN(auto passfile, pg::Passfile::create(info));
  SubprocessOptions s;
  s.argv = {o.pg_dump, "--format=custom", "--blobs", "--no-password"};
  if (o.compress_level) s.argv.push_back("--compress=" + std::to_string(*o.compress_level));
  for (auto& a : o.filter.pg_dump_args()) s.argv.push_back(std::move(a));
  s.argv.push_back("--dbname=" + info.to_keyword_string_without_password());
  s.env = passfile.env();
  s.inherit_fds = passfile.inherit_fds();
  s.capture_stdout = true;
  return DumpCommand{std::move(s), std::move(passfile)};
}

struct SourceSizes {
  uint64_t database = 0;
  std::unordered_map<uint32_t, uint64_t> tables;  // pg_table_size by OID
};

// Chooses pg_dump when not given and refuses one older than the server;
// returns the database's and its tables' sizes.
Result<SourceSizes> preflight(BackupOptions& o, const pg::ConnInfo& info) {
  PGS_ASSIGN_OR_RETURN(auto conn, pg::Connection::connect(info, pg::Side::kSource));
  int server_major = conn.server_version() / 10000;
  if (o.pg_dump.empty()) {
    PGS_ASSIGN_OR_RETURN(auto tools, pg::find_tools(server_major, 0, o.pg_bindir));
    o.pg_dump = tools.pg_dump;
  }
  SubprocessOptions v;
  v.argv = {o.pg_dump, "--version"};
  v.capture_stdout = true;
  auto text = run_and_capture(v);
  if (!text.ok()) {
    return make_error(ErrorCode::kBlocked, "cannot run " + o.pg_dump + ": " + text.error().message,
                      "install the PostgreSQL client tools (postgresql-client-" +
                          std::to_string(server_major) + ")");
  }
  int dump_major = pg::parse_tool_major(*text);
  if (dump_major < server_major) {
    return make_error(ErrorCode::kVersionMismatch,
                      "pg_dump " + std::to_string(dump_major) +
                          " is older than the server (PostgreSQL " + std::to_string(server_major) +
                          ") and cannot dump it",
                      "install postgresql-client-" + std::to_string(server_major) +
                          " (or newer) and put its pg_dump first in PATH");
  }
  PGS_ASSIGN_OR_RETURN(auto size, conn.query("SELECT pg_database_size(current_database())"));
  SourceSizes out;
  out.database = static_cast<uint64_t>(size.get_int(0, 0));
  PGS_ASSIGN_OR_RETURN(auto tables, conn.query(sql::backup::table_sizes));
  for (int i = 0; i < tables.rows(); ++i) {
    out.tables[static_cast<uint32_t>(tables.get_int(i, 0))] =
        static_cast<uint64_t>(tables.get_int(i, 1));
  }
  return out;
}

// Streams pg_dump's stdout into the sink and patches the TOC's data offsets.
class DumpStreamer {
 public:
  DumpStreamer(storage::ByteSink& sink, Progress& progress, DumpProgress measure)
      : sink_(sink), progress_(progress), measure_(std::move(measure)) {}

  Status feed(std::string_view bytes) {
    fed_ += bytes.size();
    if (!toc_) return feed_head(bytes);
    PGS_TRY(write(bytes));
    PGS_TRY(scanner_->feed(bytes));
    progress_.set_note("archive " + human_bytes(fed_));
    progress_.set_done(measure_.done(scanner_->blocks(), fed_, false));
    return ok_status();
  }

  // After pg_dump exited successfully.
  Status finish() {
    if (!toc_) return archive::parse_toc(head_).error();
    PGS_TRY(scanner_->finish());
    progress_.set_done(measure_.done(scanner_->blocks(), fed_, true));
    for (const auto& block : scanner_->blocks()) {
      const archive::TocEntry* te = toc_->find(block.dump_id);
      if (te == nullptr || te->data_state != archive::OffsetState::kNotSet) continue;
      if (!can_patch_) return ok_status();
      PGS_TRY(sink_.overwrite(te->offset_field_pos,
                              archive::encode_offset_field(toc_->header, block.offset)));
      ++patched_;
    }
    return ok_status();
  }

  bool offsets_present() const {
    if (!toc_) return false;
    size_t missing = 0;
    for (const auto& te : toc_->entries) {
      if (te.had_dumper && te.data_state == archive::OffsetState::kNotSet) ++missing;
    }
    return missing <= patched_;
  }
  int toc_entries() const { return toc_ ? static_cast<int>(toc_->entries.size()) : 0; }
  // The SHA-256 of the bytes as written, when nothing was patched afterwards
  // (a sink that can neither seek nor hold back: stdout); otherwise "".
  std::string streamed_sha256() { return in_order_ ? in_order_->finish() : ""; }

 private:
  Status write(std::string_view bytes) {
    if (in_order_) in_order_->update(bytes);
    return sink_.write(bytes);
  }

  Status feed_head(std::string_view bytes) {
    head_.append(bytes);
    PGS_ASSIGN_OR_RETURN(auto toc, archive::try_parse_toc(head_));
    if (!toc) {
      if (head_.size() > kMaxTocBytes) return archive::parse_toc(head_).error();
      return ok_status();
    }
    toc_ = std::move(*toc);
    measure_.set_toc(*toc_);
    progress_.set_total(measure_.total());
    can_patch_ = sink_.seekable() || sink_.hold_prefix(toc_->toc_end);
    if (!can_patch_) {
      log::warn(
          "{} cannot seek: the archive's data offsets stay unset (pg_restore -j and "
          "ranged restore need them)",
          sink_.describe());
      in_order_.emplace();
    }
    scanner_.emplace(toc_->header, toc_->toc_end);
    PGS_TRY(write(head_));
    PGS_TRY(scanner_->feed(std::string_view(head_).substr(toc_->toc_end)));
    head_.clear();
    head_.shrink_to_fit();
    return ok_status();
  }

  storage::ByteSink& sink_;
  Progress& progress_;
  DumpProgress measure_;
  uint64_t fed_ = 0;  // archive bytes so far
  std::string head_;
  std::optional<archive::ArchiveToc> toc_;
  std::optional<archive::BlockScanner> scanner_;
  bool can_patch_ = false;
  size_t patched_ = 0;
  std::optional<storage::Sha256Stream> in_order_;
};

Error pg_dump_error(const Subprocess& dump, int exit_status) {
  std::string text = dump.stderr_text();
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  if (text.empty()) text = "pg_dump exited with status " + std::to_string(exit_status);
  return make_error(ErrorCode::kSource, text,
                    "fix the cause pg_dump reports above and run the backup again");
}

struct StreamOutcome {
  uint64_t bytes = 0;
  bool offsets_present = false;
  int toc_entries = 0;
  std::string streamed_sha256;
};

// Ctrl-C and `pgshuttle cancel` (turned into cancelled() by the
// TransferRun's watcher) stop the stream between reads.
Result<StreamOutcome> stream_dump(DumpCommand& cmd, storage::ByteSink& sink,
                                  const SourceSizes& sizes, state::TransferRun& run) {
  uint64_t estimate = sizes.database;
  PGS_ASSIGN_OR_RETURN(auto dump, Subprocess::spawn(cmd.spawn));
  // Measured in the tables' size, not the (compressed) archive's.
  Progress progress("backup", ProgressUnit::kBytes, 0);
  progress.set_phase("dump");
  DumpStreamer streamer(sink, progress, DumpProgress(sizes.tables));
  std::string buffer(kReadSize, '\0');
  Status failure;
  for (;;) {
    if (cancelled()) {
      failure = make_error(ErrorCode::kCancelled, "backup cancelled");
      break;
    }
    auto n = dump.read_stdout(buffer.data(), buffer.size());
    if (!n.ok()) {
      failure = std::move(n).error();
      break;
    }
    if (*n == 0) break;
    failure = streamer.feed(std::string_view(buffer.data(), *n));
    if (!failure.ok()) break;
    run.set_progress(sink.bytes_written(), estimate);
  }
  if (!failure.ok()) dump.kill(SIGTERM);
  PGS_ASSIGN_OR_RETURN(int exit_status, dump.wait());
  if (!failure.ok()) return failure.error();
  if (exit_status != 0) return pg_dump_error(dump, exit_status);
  PGS_TRY(streamer.finish());
  progress.finish();  // only now all of it: a failed dump leaves no final line
  return StreamOutcome{sink.bytes_written(), streamer.offsets_present(), streamer.toc_entries(),
                       streamer.streamed_sha256()};
}

// Removes what a completed backup stored (its checksum was cancelled).
void remove_stored(const BackupOptions& o) {
  Status s = ok_status();
  if (o.destination.rfind("s3://", 0) == 0) {
    auto client = storage::S3Client::create(o.s3);
    auto object = storage::S3Location::parse(o.destination);
    s = !client.ok()   ? Status(client.error())
        : !object.ok() ? Status(object.error())
                       : (*client)->delete_object(*object);
  } else {
    std::error_code ec;
    std::filesystem::remove(o.destination, ec);
  }
  if (!s.ok()) log::warn("could not remove {}: {}", o.destination, s.error().to_string());
}

// The stored object's size (checked) and entity tag, from one HEAD: the
// tag is what a restore without a SHA-256 (migrate's backups, --no-checksum)
// tells a replaced object by.
Result<std::string> stored_etag(const BackupOptions& o, uint64_t expected_bytes) {
  PGS_ASSIGN_OR_RETURN(auto source, storage::open_source(o.destination, o.s3));
  PGS_ASSIGN_OR_RETURN(uint64_t size, source->size());
  if (size != expected_bytes) {
    return make_error(ErrorCode::kStorage,
                      fmt::format("{} holds {} bytes, but the backup wrote {}", source->describe(),
                                  size, expected_bytes),
                      "the storage lost or added bytes: run the backup again");
  }
  return source->version();
}

// Reads the stored archive back for its SHA-256 and checks its size.
Result<storage::StoredDigest> checksum_stored(const BackupOptions& o, uint64_t expected_bytes) {
  PGS_ASSIGN_OR_RETURN(auto source, storage::open_source(o.destination, o.s3));
  log::info("{} stored; reading it back for its SHA-256 (--no-checksum skips this)",
            source->describe());
  Progress progress("checksum", ProgressUnit::kBytes, expected_bytes);
  storage::DigestOptions d;
  d.parallel = o.jobs;
  d.on_hashed = [&progress](uint64_t n) { progress.add(n); };
  auto digest = storage::digest_stored(*source, d);
  progress.finish();
  if (!digest.ok()) return std::move(digest).error();
  if (digest->bytes != expected_bytes) {
    return make_error(ErrorCode::kStorage,
                      fmt::format("{} holds {} bytes, but the backup wrote {}", source->describe(),
                                  digest->bytes, expected_bytes),
                      "the storage lost or added bytes: run the backup again");
  }
  return digest;
}

Status add_checksum(const BackupOptions& o, BackupResult& result) {
  auto start = std::chrono::steady_clock::now();
  auto digest = checksum_stored(o, result.bytes);
  if (!digest.ok()) {
    if (digest.error().code == ErrorCode::kCancelled) {
      remove_stored(o);
    } else {
      log::error("{} is stored but its checksum failed; it may be incomplete", o.destination);
    }
    return std::move(digest).error().with_context("reading the stored archive back");
  }
  result.sha256 = digest->sha256;
  result.checksum_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  log::info("sha256 {} of {} ({} bytes read back in {:.2f} s)", result.sha256, o.destination,
            result.bytes, result.checksum_seconds);
  return ok_status();
}

// Records (or clears) that this run may open multipart uploads at
// `location` whose ids are not yet known (an empty upload id).
Status mark_upload_intent(state::TransferRun& run, const std::string& location, bool pending) {
  return run.with_registry([&](state::TransferRegistry& registry) {
    return pending ? registry.add_pending_upload(run.id(), location, "")
                   : registry.remove_pending_upload(location, "");
  });
}

// Clears the intent when run_transfer returns, however it returns (an
// upload refused at creation left nothing): only a killed process leaves it
// for the next backup to act on.
class UploadIntent {
 public:
  UploadIntent(state::TransferRun& run, std::string location)
      : run_(run), location_(std::move(location)) {}
  UploadIntent(const UploadIntent&) = delete;
  UploadIntent& operator=(const UploadIntent&) = delete;
  ~UploadIntent() {
    if (!location_.empty()) (void)mark_upload_intent(run_, location_, false);
  }

 private:
  state::TransferRun& run_;
  std::string location_;
};

Result<BackupResult> run_transfer(BackupOptions& o, const pg::ConnInfo& info,
                                  state::TransferRun& run) {
  const std::string& id = run.id();
  PGS_ASSIGN_OR_RETURN(auto sizes, preflight(o, info));
  PGS_ASSIGN_OR_RETURN(auto cmd, dump_command(o, info));
  PGS_ASSIGN_OR_RETURN(auto sink, storage::open_sink(o.destination, o.s3,
                                                     o.replace ? storage::Existing::kReplace
                                                               : storage::Existing::kRefuse));
  // Recorded before any upload exists: a kill between S3 creating an upload
  // (the probe's or the object's) and its id being recorded would otherwise
  // leave an upload nothing names. The next backup aborts every open upload
  // of this key that a dead run recorded this way.
  const bool s3 = storage::is_s3_url(o.destination);
  if (s3) PGS_TRY(mark_upload_intent(run, sink->describe(), true));
  UploadIntent intent(run, s3 ? sink->describe() : std::string());
  // An unsupported encryption or a missing right to write fails here, not
  // after pg_dump has started.
  PGS_TRY(storage::probe_upload(o.destination, o.s3));
  // An open multipart upload is recorded until it ends, so that if this
  // process is killed, the next backup (or storage uploads --abort-stale)
  // aborts it.
  sink->set_leftover_listener([&run](const storage::Leftover& l, bool pending) {
    Status s = run.with_registry([&](state::TransferRegistry& registry) {
      return pending ? registry.add_pending_upload(run.id(), l.location, l.upload_id)
                     : registry.remove_pending_upload(l.location, l.upload_id);
    });
    if (!s.ok()) {
      log::warn(
          "could not record the multipart upload {} of {}: {}; if this run is killed, "
          "abort it with `pgshuttle storage uploads --abort-stale`",
          l.upload_id, l.location, s.error().message);
    }
  });
  log::info("backup {}: pg_dump -Fc of {} to {} (database size {} bytes)", id, info.to_uri(false),
            sink->describe(), sizes.database);
  auto outcome = stream_dump(cmd, *sink, sizes, run);
  if (!outcome.ok()) {
    sink->abort();
    if (s3) (void)mark_upload_intent(run, sink->describe(), false);
    return std::move(outcome).error();
  }
  Status committed = sink->commit();
  if (s3) PGS_TRY(mark_upload_intent(run, sink->describe(), false));
  PGS_TRY(committed);
  fault::hit("backup:committed");  // the object is complete, its record not yet
  BackupResult result{id, outcome->bytes, outcome->streamed_sha256, outcome->offsets_present,
                      outcome->toc_entries};
  if (s3) {
    PGS_ASSIGN_OR_RETURN(result.etag, stored_etag(o, result.bytes));
  }
  if (o.destination != "-" && o.checksum) PGS_TRY(add_checksum(o, result));
  return result;
}

// The id of the newest backup to `o.destination` when it was killed
// (recorded Running, its process gone) and no finished backup recorded that
// destination: what is there is that run's unrecorded output (a killed
// upload can complete before its record does), which no backup id points
// at, so the same command may replace it.
Result<std::optional<std::string>> interrupted_writer(const BackupOptions& o) {
  PGS_ASSIGN_OR_RETURN(auto registry,
                       state::TransferRegistry::open(state::default_state_dir(o.state_dir)));
  PGS_ASSIGN_OR_RETURN(auto all, registry.list());
  std::optional<std::string> newest;
  for (const auto& t : all) {  // newest first
    if (t.kind != state::TransferKind::kBackup || t.destination != redact(o.destination)) continue;
    if (t.status == state::TransferStatus::kCompleted ||
        t.status == state::TransferStatus::kWarnings) {
      return std::optional<std::string>();
    }
    // Only a killed run (never finished: no end time): a failed or
    // cancelled backup removed what it wrote, and one refused because the
    // object existed never wrote it.
    if (!newest && !t.finished_at && state::interrupted(t)) {
      newest = t.id;
    }
    if (!newest) return std::optional<std::string>();  // running elsewhere
  }
  return newest;
}

}  // namespace

Result<BackupResult> run_backup(const BackupOptions& options) {
  BackupOptions o = options;
  o.jobs = std::max(1, o.jobs);
  o.s3.parts_in_flight = o.jobs;
  PGS_ASSIGN_OR_RETURN(auto info, pg::ConnInfo::parse(o.database));
  // Recorded so that a restore by path from another directory still finds
  // this record (and checks against it).
  o.destination = storage::recorded_location(o.destination);
  if (!o.replace) {
    PGS_ASSIGN_OR_RETURN(auto killed, interrupted_writer(o));
    if (killed) {
      log::info(
          "{} may hold what the interrupted backup {} wrote without recording it: replacing it",
          o.destination, *killed);
      o.replace = true;
    }
  }
  PGS_ASSIGN_OR_RETURN(auto run, state::TransferRun::begin(state::default_state_dir(o.state_dir),
                                                           state::TransferKind::kBackup,
                                                           info.to_uri(false), o.destination));
  const std::string id = run->id();
  if (storage::is_s3_url(o.destination)) {
    // What killed backups left: aborted before this one adds its own upload.
    auto stale = run->with_registry(
        [&](state::TransferRegistry& registry) { return abort_stale_uploads(registry, o.s3); });
    if (!stale.ok()) log::warn("stale multipart uploads: {}", stale.error().to_string());
  }
  auto result = run_transfer(o, info, *run);
  if (!result.ok()) {
    run->finish(result.error());
    return std::move(result).error().with_context("backup " + id);
  }
  log::info("backup {} completed: {} bytes, {} TOC entries", id, result->bytes,
            result->toc_entries);
  run->set_result(result->bytes, result->sha256, result->etag);
  run->finish(ok_status());
  return result;
}

}  // namespace pgshuttle::backup
