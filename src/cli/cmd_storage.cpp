// pgshuttle storage cp|ls|head|rm|mb|uploads: the storage layer by hand.
// uploads --abort-stale aborts the multipart uploads killed backups left.
// cp copies between any source (file, http(s) URL, s3://) and any sink
// (file, s3://, "-" for stdout).
#include <unistd.h>
#include <iostream>

#include "backup/stale_uploads.h"
#include "cli/command.h"
#include "core/human.h"
#include "state/transfer_registry.h"
#include "storage/s3_client.h"
#include "storage/storage.h"

namespace pgshuttle::cli {
namespace {

struct StorageOptions {
  std::string source, target;
  std::string sse = "AES256";
  uint64_t part_mib = 0;
  bool abort_stale = false;  // uploads: abort those killed backups left
  storage::S3Options s3;
};

Status prepare(StorageOptions& o) {
  if (o.sse == "none") o.sse.clear();  // the value itself is checked by add_s3_options
  o.s3.sse = o.sse;
  if (o.part_mib) o.s3.min_part_size = o.part_mib << 20;
  return ok_status();
}

Status run_cp(StorageOptions& o) {
  PGS_TRY(prepare(o));
  PGS_ASSIGN_OR_RETURN(auto source, storage::open_source(o.source, o.s3));
  PGS_ASSIGN_OR_RETURN(auto stream, source->open_stream(0));
  PGS_ASSIGN_OR_RETURN(auto sink, storage::open_sink(o.target, o.s3));
  std::string buffer(1u << 20, '\0');
  for (;;) {
    PGS_ASSIGN_OR_RETURN(size_t n, stream->read(buffer.data(), buffer.size()));
    if (n == 0) break;
    PGS_TRY(sink->write(std::string_view(buffer.data(), n)));
  }
  PGS_TRY(sink->commit());
  return ok_status();
}

Result<std::shared_ptr<storage::S3Client>> client_for(StorageOptions& o) {
  PGS_TRY(prepare(o));
  return storage::S3Client::create(o.s3);
}

Status run_ls(const CliContext& ctx, StorageOptions& o) {
  PGS_ASSIGN_OR_RETURN(auto loc, storage::S3Location::parse(o.source));
  PGS_ASSIGN_OR_RETURN(auto client, client_for(o));
  PGS_ASSIGN_OR_RETURN(auto objects, client->list(loc.bucket, loc.key));
  nlohmann::json j = nlohmann::json::array();
  for (const auto& obj : objects) {
    if (ctx.json) {
      j.push_back({{"key", obj.key}, {"size", obj.size}, {"last_modified", obj.last_modified}});
    } else {
      std::cout << obj.last_modified << "  " << obj.size << "  s3://" << loc.bucket << "/"
                << obj.key << "\n";
    }
  }
  if (ctx.json) ctx.print_json(j);
  return ok_status();
}

Status run_head(const CliContext& ctx, StorageOptions& o) {
  PGS_TRY(prepare(o));
  PGS_ASSIGN_OR_RETURN(auto source, storage::open_source(o.source, o.s3));
  PGS_ASSIGN_OR_RETURN(uint64_t size, source->size());
  if (ctx.json) {
    ctx.print_json({{"location", source->describe()}, {"size", size}});
  } else {
    std::cout << size << "  (" << human_bytes(size) << ")  " << source->describe() << "\n";
  }
  return ok_status();
}

Status run_rm(StorageOptions& o) {
  if (!storage::is_s3_url(o.source)) {
    if (::unlink(o.source.c_str()) != 0) {
      return make_error(ErrorCode::kNotFound, "cannot remove " + o.source);
    }
    return ok_status();
  }
  PGS_ASSIGN_OR_RETURN(auto loc, storage::S3Location::parse(o.source));
  PGS_ASSIGN_OR_RETURN(auto client, client_for(o));
  return client->delete_object(loc);
}

Status run_mb(StorageOptions& o) {
  PGS_ASSIGN_OR_RETURN(auto loc, storage::S3Location::parse(o.source));
  PGS_ASSIGN_OR_RETURN(auto client, client_for(o));
  return client->create_bucket(loc.bucket);
}

// The backup that left `u` behind (its process ended), or "".
std::string left_by(const std::vector<state::PendingUpload>& stale, const std::string& bucket,
                    const storage::S3Upload& u) {
  for (const auto& s : stale) {
    // An empty id: that run died before it recorded the id of an upload it
    // may have started at that key.
    bool same = s.upload_id == u.upload_id || s.upload_id.empty();
    if (same && s.location == "s3://" + bucket + "/" + u.key) {
      return s.transfer_id;
    }
  }
  return "";
}

Status run_uploads(const CliContext& ctx, StorageOptions& o) {
  PGS_ASSIGN_OR_RETURN(auto loc, storage::S3Location::parse(o.source));
  PGS_ASSIGN_OR_RETURN(auto client, client_for(o));
  PGS_ASSIGN_OR_RETURN(auto registry,
                       state::TransferRegistry::open(state::default_state_dir(ctx.state_dir)));
  if (o.abort_stale) {
    PGS_ASSIGN_OR_RETURN(auto report, backup::abort_stale_uploads(registry, o.s3, loc.bucket));
    if (!report.failed.empty()) {
      return make_error(ErrorCode::kStorage,
                        std::to_string(report.failed.size()) +
                            " multipart upload(s) left by killed backups could not be aborted",
                        "see the warnings above; retry, or abort them with the bucket's owner");
    }
  }
  PGS_ASSIGN_OR_RETURN(auto stale, registry.stale_uploads());
  PGS_ASSIGN_OR_RETURN(auto uploads, client->list_multipart_uploads(loc.bucket));
  nlohmann::json j = nlohmann::json::array();
  for (const auto& u : uploads) {
    std::string by = left_by(stale, loc.bucket, u);
    j.push_back({{"key", u.key}, {"upload_id", u.upload_id}, {"left_by", by}});
    if (ctx.json) continue;
    std::cout << u.upload_id << "  s3://" << loc.bucket << "/" << u.key;
    if (!by.empty()) std::cout << "  (left by " << by << "; --abort-stale aborts it)";
    std::cout << "\n";
  }
  if (ctx.json) ctx.print_json(j);
  return ok_status();
}

using Runner = Status (*)(const CliContext&, StorageOptions&);

// The subcommand, and the options it fills in.
std::pair<CLI::App*, std::shared_ptr<StorageOptions>> add(CLI::App* group, CliContext& ctx,
                                                          const char* name, const char* help,
                                                          Runner run, bool two_args) {
  auto opts = std::make_shared<StorageOptions>();
  auto* cmd = group->add_subcommand(name, help);
  cmd->add_option("LOCATION", opts->source, "file, http(s):// URL or s3://bucket/key")->required();
  if (two_args) {
    cmd->add_option("TARGET", opts->target, "file, s3://bucket/key or - (stdout)")->required();
    cmd->add_option("--part-size", opts->part_mib, "Minimum multipart part size in MiB (>= 5)");
    cmd->add_option("--parallel", opts->s3.parts_in_flight, "Parts uploaded at once (default 4)");
  }
  add_s3_options(cmd, opts->s3, two_args ? &opts->sse : nullptr);
  cmd->callback([&ctx, opts, run] { ctx.run = [&ctx, opts, run] { return run(ctx, *opts); }; });
  return {cmd, opts};
}

void register_storage(CLI::App& app, CliContext& ctx) {
  auto* group =
      app.add_subcommand("storage", "Copy, list, inspect and remove files and S3 objects");
  group->require_subcommand(1);
  add(
      group, ctx, "cp", "Copy LOCATION to TARGET (file, http(s), s3://, - for stdout)",
      [](const CliContext&, StorageOptions& o) { return run_cp(o); }, true);
  add(group, ctx, "ls", "List objects under s3://bucket/prefix", run_ls, false);
  add(group, ctx, "head", "Print the size of a file, URL or object", run_head, false);
  add(
      group, ctx, "rm", "Remove an S3 object or a file",
      [](const CliContext&, StorageOptions& o) { return run_rm(o); }, false);
  add(
      group, ctx, "mb", "Create the bucket of s3://bucket",
      [](const CliContext&, StorageOptions& o) { return run_mb(o); }, false);
  auto [uploads, uploads_opts] =
      add(group, ctx, "uploads", "List incomplete multipart uploads in s3://bucket", run_uploads,
          false);
  uploads->add_flag("--abort-stale", uploads_opts->abort_stale,
                    "Abort the uploads that killed pgshuttle backups left (recorded in the "
                    "transfer registry; other uploads are left alone)");
}

}  // namespace

PGSHUTTLE_COMMAND(storage, register_storage);

}  // namespace pgshuttle::cli
