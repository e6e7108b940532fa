#include "migrate/migrate_backup.h"

#include <fmt/format.h>

#include "backup/backup.h"
#include "core/human.h"

namespace pgshuttle::migrate {

Result<std::string> run_backup_step(const pg::ConnInfo& source, const storage::S3Options& s3,
                                    const std::string& state_dir, MigrationState& state,
                                    const std::string& location, const ddl::ObjectFilter& filter) {
  backup::BackupOptions bo;
  bo.database = source.to_keyword_string();
  bo.destination = location;
  bo.state_dir = state_dir;
  bo.s3 = s3;
  bo.filter = filter;
  // No read-back for the SHA-256: it would add a full download to the
  // downtime, and the migration's verify step compares the restored target
  // with the source itself. The backup records the stored object's ETag
  // instead, so a restore of this backup id tells a replaced object.
  bo.checksum = false;
  PGS_ASSIGN_OR_RETURN(auto result, backup::run_backup(bo));
  state.set_artifact("archive", location);
  state.set_artifact("backup_id", result.transfer_id);
  return fmt::format("{} {} to {} ({} TOC entries, data offsets {})", result.transfer_id,
                     human_bytes(result.bytes), location, result.toc_entries,
                     result.offsets_present ? "present" : "absent");
}

}  // namespace pgshuttle::migrate
