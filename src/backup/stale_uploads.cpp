#include "backup/stale_uploads.h"

#include "core/log.h"
#include "storage/s3_client.h"
#include "storage/s3_location.h"

namespace pgshuttle::backup {

namespace {

// Aborts every open upload of `where`'s key: a run that died before
// recording its upload id may have left one there.
Status abort_unrecorded(const storage::S3Client& client, const storage::S3Location& where,
                        const state::PendingUpload& intent, StaleUploadReport& report) {
  PGS_ASSIGN_OR_RETURN(auto open, client.list_multipart_uploads(where.bucket));
  for (const auto& up : open) {
    if (up.key != where.key) continue;
    state::PendingUpload found{intent.transfer_id, intent.location, up.upload_id};
    Status s = client.abort_multipart(where, up.upload_id);
    if (!s.ok()) {
      log::warn("could not abort the multipart upload {} left of {}: {}", intent.transfer_id,
                intent.location, s.error().to_string());
      report.failed.push_back(std::move(found));
      continue;
    }
    log::info("aborted the incomplete multipart upload of {} that {} left", intent.location,
              intent.transfer_id);
    report.aborted.push_back(std::move(found));
  }
  return ok_status();
}

}  // namespace

Result<StaleUploadReport> abort_stale_uploads(state::TransferRegistry& registry,
                                              const storage::S3Options& s3,
                                              const std::string& bucket) {
  StaleUploadReport report;
  PGS_ASSIGN_OR_RETURN(auto stale, registry.stale_uploads());
  std::shared_ptr<storage::S3Client> client;
  for (auto& u : stale) {
    auto where = storage::S3Location::parse(u.location);
    if (!where.ok() || (!bucket.empty() && where->bucket != bucket)) continue;
    if (!client) {
      PGS_ASSIGN_OR_RETURN(client, storage::S3Client::create(s3));
    }
    if (u.upload_id.empty()) {  // killed before it knew (or recorded) its upload id
      Status listed = abort_unrecorded(*client, *where, u, report);
      if (!listed.ok()) {  // kept for a later try; the others still go
        log::warn("could not list the multipart uploads of {} that {} may have left: {}",
                  u.location, u.transfer_id, listed.error().to_string());
        report.failed.push_back(std::move(u));
        continue;
      }
      PGS_TRY(registry.remove_pending_upload(u.location, u.upload_id));
      continue;
    }
    Status s = client->abort_multipart(*where, u.upload_id);
    if (!s.ok()) {
      log::warn("could not abort the multipart upload {} left of {}: {}", u.transfer_id, u.location,
                s.error().to_string());
      report.failed.push_back(std::move(u));
      continue;
    }
    PGS_TRY(registry.remove_pending_upload(u.location, u.upload_id));
    log::info("aborted the incomplete multipart upload of {} that {} left", u.location,
              u.transfer_id);
    report.aborted.push_back(std::move(u));
  }
  return report;
}

}  // namespace pgshuttle::backup
