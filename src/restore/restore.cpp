#include "restore/restore.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <thread>

#include "archive/archive_toc.h"
#include "archive/data_extent.h"
#include "core/log.h"
#include "core/progress.h"
#include "core/redact.h"
#include "pg/connection.h"
#include "pg/passfile.h"
#include "pg/tools.h"
#include "restore/backup_record.h"
#include "restore/fed_child.h"
#include "restore/partial_target.h"
#include "restore/ranged_restore.h"
#include "restore/stream_filters.h"
#include "restore/target_preflight.h"
#include "restore/toc_selection.h"
#include "sql/restore.h"
#include "state/transfer_run.h"
#include "storage/storage.h"
#include "target/target_objects.h"

namespace pgshuttle::restore {
namespace {

namespace fs = std::filesystem;

struct Input {
  std::unique_ptr<storage::ByteSource> source;  // null for a directory
  SourceFormat format = SourceFormat::kCustom;
  std::string local_path;  // set for a local file or directory
  uint64_t size = 0;
};

bool is_local(const std::string& location) { return location.find("://") == std::string::npos; }

Error not_a_dump(const std::string& what) {
  return make_error(ErrorCode::kArchive,
                    what +
                        " is neither a pg_dump archive (custom, tar, directory) nor a SQL "
                        "script (.sql, .sql.gz); nothing was restored",
                    "check that it is the file you meant: a SQL script is text that starts with "
                    "SQL statements or pg_dump's header");
}

Result<Input> open_input(const RestoreOptions& o) {
  Input in;
  if (is_local(o.source) && fs::is_directory(o.source)) {
    if (!fs::exists(fs::path(o.source) / "toc.dat")) {
      return make_error(ErrorCode::kArchive, o.source + " is a directory without toc.dat",
                        "give the directory pg_dump -Fd wrote, or an archive file");
    }
    in.format = SourceFormat::kDirectory;
    in.local_path = o.source;
    return in;
  }
  PGS_ASSIGN_OR_RETURN(in.source, storage::open_source(o.source, o.s3));
  PGS_ASSIGN_OR_RETURN(in.size, in.source->size());
  if (in.size == 0) {
    return make_error(ErrorCode::kArchive, in.source->describe() + " is empty",
                      "check the backup that produced it");
  }
  PGS_ASSIGN_OR_RETURN(std::string head, in.source->read_range(0, 512));
  in.format = detect_format(head);
  if (in.format == SourceFormat::kUnknown) return not_a_dump(in.source->describe());
  if (o.single_transaction && is_archive(in.format)) {
    return make_error(ErrorCode::kUsage, "--single-transaction is for plain SQL scripts",
                      "restore a pg_dump archive without it");
  }
  if (is_local(o.source)) in.local_path = o.source;
  return in;
}

std::string format_flag(SourceFormat f) {
  return f == SourceFormat::kTar ? "-Ft" : f == SourceFormat::kDirectory ? "-Fd" : "-Fc";
}

int effective_jobs(const RestoreOptions& o, const Input& in) {
  bool seekable = in.format == SourceFormat::kDirectory ||
                  (in.format == SourceFormat::kCustom && !in.local_path.empty());
  if (!seekable) return 1;
  int jobs = o.jobs > 0 ? o.jobs : static_cast<int>(std::thread::hardware_concurrency());
  return jobs > 0 ? jobs : 1;
}

Result<ChildRun> run_pg_restore(const RestoreOptions& o, Input& in, const ScratchDir& scratch,
                                const pg::Passfile& pass, int jobs, Progress& progress) {
  ChildSpec spec;
  spec.argv = {o.tools.pg_restore,
               "-v",
               format_flag(in.format),
               "-L",
               scratch.file("restore.list"),
               "-d",
               o.target.to_keyword_string_without_password()};
  if (!o.keep_owner) spec.argv.push_back("--no-owner");
  if (!o.keep_acl) spec.argv.push_back("--no-acl");
  spec.env = pass.env();
  spec.inherit_fds = pass.inherit_fds();
  spec.stderr_file = scratch.file("restore.err");
  std::unique_ptr<storage::ByteStream> stream;
  if (jobs > 1) {
    spec.argv.push_back("-j" + std::to_string(jobs));
    spec.argv.push_back(in.local_path);
  } else if (in.format == SourceFormat::kDirectory) {
    spec.argv.push_back(in.local_path);
  } else {
    PGS_ASSIGN_OR_RETURN(stream, in.source->open_stream(0));
    spec.input = stream.get();
    spec.progress = &progress;
    spec.phase_after_input = "indexes";  // the post-data section comes last
  }
  return run_child(spec);
}

Result<ChildRun> run_psql(const RestoreOptions& o, Input& in, const ScratchDir& scratch,
                          const pg::Passfile& pass, Progress& progress) {
  ChildSpec spec;
  // Stops at the first error unless asked otherwise: what runs after a
  // failed statement (rows into a table that was not created) only adds
  // errors to a target that is already wrong.
  spec.argv = {o.tools.psql,
               "-X",
               "-q",
               "-v",
               o.sql_continue_on_error ? "ON_ERROR_STOP=0" : "ON_ERROR_STOP=1",
               "-d",
               o.target.to_keyword_string_without_password()};
  if (o.single_transaction) spec.argv.push_back("--single-transaction");
  spec.argv.insert(spec.argv.end(), {"-f", "-"});
  spec.env = pass.env();
  spec.inherit_fds = pass.inherit_fds();
  spec.stderr_file = scratch.file("psql.err");
  PGS_ASSIGN_OR_RETURN(auto stream, in.source->open_stream(0));
  spec.input = stream.get();
  spec.progress = &progress;
  auto gunzip = std::make_shared<GzipInflater>();
  auto filter = std::make_shared<PlainSqlFilter>(o.keep_owner, o.keep_acl);
  bool gz = in.format == SourceFormat::kGzipSql;
  // A gzip file's content is known once inflated: its first 512 bytes are
  // held back and checked before psql is given any (plain SQL was checked
  // in open_input).
  auto head = std::make_shared<std::optional<std::string>>();
  if (gz) head->emplace();
  std::string what = in.source->describe();
  spec.transform = [gunzip, filter, gz, head, what](std::string_view chunk,
                                                    bool end) -> Result<std::string> {
    std::string sql(chunk);
    if (gz) {
      PGS_ASSIGN_OR_RETURN(sql, gunzip->feed(chunk));
    }
    if (*head) {
      **head += sql;
      if ((*head)->size() < 512 && !end) return std::string();
      if (!looks_like_sql(std::string_view(**head).substr(0, 512))) return not_a_dump(what);
      sql = std::move(**head);
      head->reset();
    }
    std::string out = filter->feed(sql);
    if (end) {
      if (gz && !gunzip->finished()) {
        return make_error(ErrorCode::kArchive, "the .sql.gz file is truncated",
                          "check its size against the backup, or make a new one");
      }
      out += filter->finish();
    }
    return out;
  };
  return run_child(spec);
}

RestoreStatus decide(const ChildRun& run, RestoreOutcome& out) {
  if (run.cancelled) return RestoreStatus::kCancelled;
  if (out.first_fatal()) return RestoreStatus::kFailed;
  if (run.exit_status != 0 && out.errors.empty()) {
    std::string err = run.stderr_text;
    size_t cut = err.rfind('\n', err.size() > 1 ? err.size() - 2 : 0);
    out.errors.push_back(
        {Severity::kFatal, "", cut == std::string::npos ? err : err.substr(cut + 1), ""});
    return RestoreStatus::kFailed;
  }
  return out.warning_count() > 0 ? RestoreStatus::kFinishedWithWarnings : RestoreStatus::kCompleted;
}

// Target checks that must pass before anything is written. Returns the
// archive's extensions that another role owns on the target (their
// comments are left out: TocSelection::leave_out_comments_of).
Result<std::set<std::string>> prepare_target(const RestoreOptions& o,
                                             const std::vector<std::string>& archive_exts,
                                             std::vector<ExtensionRequest>& requests) {
  PGS_ASSIGN_OR_RETURN(auto conn, pg::Connection::connect(o.target, pg::Side::kTarget));
  std::vector<std::string> names = archive_exts;
  for (const auto& e : o.extensions) {
    requests.push_back(ExtensionRequest::parse(e));
    names.push_back(requests.back().name);
  }
  PGS_TRY(check_extensions(conn, names));
  PGS_TRY(target::guard_target(conn, {o.clean, o.confirm}));
  std::set<std::string> out;
  for (const auto& name : archive_exts) {
    PGS_ASSIGN_OR_RETURN(auto other, conn.query(sql::restore::extensions_of_others, {name}));
    if (other.rows() > 0) out.insert(name);
  }
  // From here on the target holds only what this restore writes.
  if (!o.run_id.empty()) {
    PGS_TRY(record_target(state::default_state_dir(o.state_dir), o.run_id, o.target));
  }
  PGS_TRY(create_extensions(conn, requests));
  return out;
}

// The archive's TOC, read once by pgshuttle's own reader for the choice of
// tools, the selection and the parallel plan; nullopt for SQL scripts.
std::optional<Result<archive::ArchiveToc>> read_archive_toc(const Input& in) {
  switch (in.format) {
    case SourceFormat::kCustom:
      return archive::read_toc(*in.source);
    case SourceFormat::kTar:
      return archive::read_tar_toc(*in.source);
    case SourceFormat::kDirectory: {
      auto file = storage::open_source((fs::path(in.local_path) / "toc.dat").string());
      if (!file.ok()) return Result<archive::ArchiveToc>(std::move(file).error());
      return archive::read_toc(**file);
    }
    default:
      return std::nullopt;
  }
}

Result<std::optional<archive::ArchiveToc>> readable_toc(
    const Input& in, std::optional<Result<archive::ArchiveToc>> toc) {
  if (!toc) return std::optional<archive::ArchiveToc>{};
  if (!toc->ok()) {
    const Error& e = toc->error();
    return make_error(ErrorCode::kArchive,
                      fmt::format("the {} archive's header or table of contents is unreadable; "
                                  "nothing was restored: {}{}",
                                  format_name(in.format), e.message,
                                  e.context.empty() ? "" : " (" + e.context + ")"),
                      "the archive is truncated or corrupt: check its size against the backup, "
                      "or make a new backup");
  }
  return std::optional<archive::ArchiveToc>(std::move(**toc));
}

// Whether the archive can be restored from ranged reads: a custom-format
// archive that records its data offsets. A cut archive is refused here,
// before the target is touched: it would otherwise restore its schema and
// large objects and only then fail.
Result<bool> ranged_possible(const Input& in, const archive::ArchiveToc& toc) {
  if (in.format != SourceFormat::kCustom || !in.source) return false;
  if (!toc.data_offsets_present()) {
    log::info("the archive does not record its data offsets; restoring in one sequential pass");
    return false;
  }
  PGS_TRY(archive::check_data_extent(toc, *in.source, in.size));
  return true;
}

Status stream_restore(const RestoreOptions& o, Input& in,
                      const std::optional<archive::ArchiveToc>& toc, const ScratchDir& scratch,
                      RestoreOutcome& out) {
  std::vector<std::string> archive_exts;
  if (!toc && !o.filter.empty()) {
    return make_error(ErrorCode::kUsage,
                      "--include/--exclude select entries of an archive; a plain SQL script has "
                      "none",
                      "restore the whole script, or take a custom-format backup of the part "
                      "(pgshuttle backup --include ...)");
  }
  std::optional<TocSelection> selection;
  if (toc) {
    selection = TocSelection::for_managed_target(*toc);
    PGS_TRY(selection->leave_out_unselected(*toc, o.filter));
    if (!o.keep_acl) out.acl_entries_left_out = note_acls_left_out(*toc, *selection);
    out.skipped = selection->warnings(*toc);
    for (const auto& w : out.skipped) log::warn("{}", w);
    archive_exts = selection->extensions(*toc);
  }
  std::vector<ExtensionRequest> requests;
  PGS_ASSIGN_OR_RETURN(auto others, prepare_target(o, archive_exts, requests));
  if (selection) {
    selection->leave_out_comments_of(*toc, others);
    std::ofstream(scratch.file("restore.list"), std::ios::binary) << selection->render_list(*toc);
  }
  PGS_ASSIGN_OR_RETURN(auto pass, pg::Passfile::create(o.target));
  out.jobs = is_archive(in.format) ? effective_jobs(o, in) : 1;
  Progress progress("restore", ProgressUnit::kBytes, in.size);
  // The bytes fed to the child: it may still build indexes once all are read.
  progress.set_phase(is_archive(in.format) ? "data" : "psql");
  ChildRun run;
  if (is_archive(in.format)) {
    PGS_ASSIGN_OR_RETURN(run, run_pg_restore(o, in, scratch, pass, out.jobs, progress));
    out.errors = parse_pg_restore_errors(run.stderr_text);
  } else {
    PGS_ASSIGN_OR_RETURN(run, run_psql(o, in, scratch, pass, progress));
    out.errors = parse_psql_errors(run.stderr_text);
    // psql exits 3 when ON_ERROR_STOP ended the script: whatever that error
    // is, the rest of the script did not run.
    if (!o.sql_continue_on_error && run.exit_status == 3 && !out.errors.empty()) {
      out.errors.back().severity = Severity::kFatal;
      out.errors.back().message +=
          " (psql stopped at this error; --continue-on-error runs the rest)";
    }
    out.rolled_back = o.single_transaction;
  }
  if (run.bytes_fed > 0) progress.finish();  // pg_restore -j reads the file itself
  for (const auto& e : out.errors) {
    if (e.severity == Severity::kWarning) log::warn("{}: {}", e.object, e.message);
  }
  out.bytes_read = run.bytes_fed;
  out.status = decide(run, out);
  return ok_status();
}

// The newer of the majors of the server a custom-format archive was dumped
// from and of the pg_dump that wrote it (pg_restore must read what that
// pg_dump wrote); 0 when unknown (other formats, an unreadable header:
// later steps report those).
int archive_server_major(const std::optional<Result<archive::ArchiveToc>>& toc) {
  if (!toc || !toc->ok()) return 0;
  const auto& header = (*toc)->header;
  return std::max(pg::parse_server_major(header.server_version),
                  pg::parse_server_major(header.pg_dump_version));
}

// pg_restore and psql fitting the archive's and the target's majors; a
// downgrade is refused before the target is touched.
Result<pg::PgTools> choose_tools(const RestoreOptions& o,
                                 const std::optional<Result<archive::ArchiveToc>>& toc) {
  PGS_ASSIGN_OR_RETURN(auto conn, pg::Connection::connect(o.target, pg::Side::kTarget));
  return pg::find_tools(archive_server_major(toc), conn.server_version() / 10000, o.pg_bindir);
}

Status restore_into(const RestoreOptions& options, const std::optional<state::Transfer>& recorded,
                    RestoreOutcome& out) {
  RestoreOptions o = options;
  PGS_ASSIGN_OR_RETURN(Input in, open_input(o));
  if (recorded && in.source) {
    PGS_TRY(check_against_record(*recorded, *in.source, in.size,
                                 {o.jobs > 0 ? o.jobs : 4, o.checksum}));
  }
  auto toc_read = read_archive_toc(in);
  PGS_ASSIGN_OR_RETURN(o.tools, choose_tools(o, toc_read));
  out.format = in.format;
  log::info("restoring {} ({} format) into database {}",
            in.source ? in.source->describe() : in.local_path, format_name(in.format),
            out.target_database);
  PGS_ASSIGN_OR_RETURN(ScratchDir scratch, ScratchDir::create());
  PGS_ASSIGN_OR_RETURN(auto toc, readable_toc(in, std::move(toc_read)));
  bool ranged = false;
  if (toc) {
    PGS_ASSIGN_OR_RETURN(ranged, ranged_possible(in, *toc));
  }
  if (!ranged && o.skip_unsupported) {
    return make_error(
        ErrorCode::kUsage,
        fmt::format("--skip-unsupported needs a custom-format archive that records its data "
                    "offsets; this is a {} {}",
                    format_name(in.format), toc ? "archive without them" : "script"),
        "make the backup with `pgshuttle backup` or `pg_dump -Fc -f FILE` (to a file, so that "
        "pg_dump can record the offsets), or restore without --skip-unsupported");
  }
  if (!ranged) return stream_restore(o, in, toc, scratch, out);
  out.parallel = true;
  int jobs = o.jobs > 0 ? o.jobs : static_cast<int>(std::thread::hardware_concurrency());
  out.jobs = jobs > 0 ? jobs : 1;
  auto prepare = [&o](const std::vector<std::string>& exts) {
    std::vector<ExtensionRequest> requests;
    return prepare_target(o, exts, requests);
  };
  return run_ranged_restore(o, *in.source, in.size, *toc, scratch, prepare, out);
}

}  // namespace

Result<RestoreOutcome> run_restore(const RestoreOptions& options) {
  auto start = std::chrono::steady_clock::now();
  RestoreOptions o = options;
  const std::string dir = state::default_state_dir(o.state_dir);
  std::optional<state::Transfer> recorded;
  {
    PGS_ASSIGN_OR_RETURN(auto registry, state::TransferRegistry::open(dir));
    // The backup this archive should be, to check it against its record.
    PGS_ASSIGN_OR_RETURN(recorded, find_backup_record(registry, o.source, o.backup_id));
  }
  if (is_transfer_id(o.source)) o.source = recorded->destination;
  PGS_ASSIGN_OR_RETURN(auto partial, own_partial_target(dir, o.source, o.target));
  if (partial && !o.clean) {
    log::info(
        "the target holds what the unfinished restore {} of this archive wrote (the target was "
        "empty when it began): clearing that before restoring again",
        *partial);
    o.clean = true;
    o.confirm = o.target.effective()["dbname"];
  }
  state::RunOptions run_options;
  run_options.warnings_from_log = false;  // the outcome's warnings are recorded below
  PGS_ASSIGN_OR_RETURN(auto run,
                       state::TransferRun::begin(dir, state::TransferKind::kRestore, o.source,
                                                 o.target.to_uri(false), run_options));
  RestoreOutcome out;
  out.transfer_id = run->id();
  o.run_id = run->id();
  out.target_database = o.target.effective()["dbname"];
  Status st = restore_into(o, recorded, out);
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!st.ok()) {
    run->finish(st);
    return std::move(st).error().with_context("restore " + out.transfer_id);
  }
  for (const auto& w : out.skipped) run->add_warning(w);
  for (const auto& e : out.errors) {
    if (e.severity == Severity::kWarning) {
      run->add_warning((e.object.empty() ? "" : e.object + ": ") + e.message);
    }
  }
  run->set_result(out.bytes_read, "");
  run->finish(out.to_status());
  return out;
}

}  // namespace pgshuttle::restore
