#include "backup/stale_uploads.h"

#include "core/log.h"
#include "storage/s3_client.h"
#include "storage/s3_location.h"

namespace pgshuttle::backup {

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
