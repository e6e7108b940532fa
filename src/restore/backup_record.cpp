#include "restore/backup_record.h"

#include <fmt/format.h>

#include "core/log.h"
#include "core/progress.h"
#include "storage/storage.h"
#include "storage/stored_digest.h"

namespace pgshuttle::restore {
namespace {

Result<state::Transfer> by_id(state::TransferRegistry& registry, const std::string& id) {
  PGS_ASSIGN_OR_RETURN(auto t, registry.get(id));
  if (t.kind != state::TransferKind::kBackup) {
    return make_error(ErrorCode::kUsage, id + " is not a backup",
                      "give a backup's id (bNNN; see pgshuttle transfers)");
  }
  if (t.status != state::TransferStatus::kCompleted &&
      t.status != state::TransferStatus::kWarnings) {
    return make_error(ErrorCode::kUsage, fmt::format("backup {} is {}", id, t.status_text()),
                      "restore a completed backup (see pgshuttle transfers)");
  }
  if (t.destination == "-" || t.destination.empty()) {
    return make_error(ErrorCode::kUsage, "backup " + id + " went to standard output",
                      "restore the file or object it was written to");
  }
  return t;
}

Result<std::optional<state::Transfer>> by_location(state::TransferRegistry& registry,
                                                   const std::string& location) {
  PGS_ASSIGN_OR_RETURN(auto all, registry.list());
  std::string want = storage::recorded_location(location);
  for (auto& t : all) {
    bool done = t.status == state::TransferStatus::kCompleted ||
                t.status == state::TransferStatus::kWarnings;
    if (t.kind == state::TransferKind::kBackup && done && t.destination == want) {
      return std::optional<state::Transfer>(std::move(t));
    }
  }
  return std::optional<state::Transfer>();
}

Error changed_error(const std::string& what, const state::Transfer& b, const std::string& how) {
  return make_error(ErrorCode::kArchiveChanged,
                    fmt::format("{} is not the archive backup {} wrote: {}; nothing was restored",
                                what, b.id, how),
                    "it was replaced or damaged after the backup: restore the archive you meant "
                    "(pgshuttle transfers lists the backups), or take a new backup");
}

}  // namespace

bool is_transfer_id(const std::string& s) {
  if (s.size() < 2 || s[0] != 'b') return false;
  return s.find_first_not_of("0123456789", 1) == std::string::npos;
}

Result<std::optional<state::Transfer>> find_backup_record(state::TransferRegistry& registry,
                                                          const std::string& source,
                                                          const std::string& backup_id) {
  std::string id = is_transfer_id(source) ? source : backup_id;
  if (id.empty()) return by_location(registry, source);
  PGS_ASSIGN_OR_RETURN(auto t, by_id(registry, id));
  return std::optional<state::Transfer>(std::move(t));
}

Status check_against_record(const state::Transfer& b, storage::ByteSource& archive, uint64_t size,
                            const RecordCheck& check) {
  std::string what = archive.describe();
  if (size != b.bytes) {
    return changed_error(what, b,
                         fmt::format("it holds {} bytes, the backup recorded {}", size, b.bytes));
  }
  // The entity tag costs nothing to compare (the size's request brought
  // it) and tells a replaced object from the one the backup stored.
  if (!b.etag.empty()) {
    PGS_ASSIGN_OR_RETURN(std::string etag, archive.version());
    if (!etag.empty() && etag != b.etag) {
      return changed_error(what, b,
                           fmt::format("its ETag is {}, the backup recorded {}", etag, b.etag));
    }
  }
  if (b.sha256.empty() || !check.checksum) {
    log::info(
        "{} has the size{} backup {} recorded{}", what, b.etag.empty() ? "" : " and ETag", b.id,
        b.sha256.empty() ? " (it recorded no SHA-256)" : " (--no-checksum: SHA-256 not read)");
    return ok_status();
  }
  log::info("checking {} against backup {}'s SHA-256 before restoring (--no-checksum skips this)",
            what, b.id);
  Progress progress("checksum", ProgressUnit::kBytes, size);
  storage::DigestOptions d;
  d.parallel = std::max(1, check.parallel);
  d.on_hashed = [&progress](uint64_t n) { progress.add(n); };
  auto digest = storage::digest_stored(archive, d);
  progress.finish();
  if (!digest.ok()) return std::move(digest).error().with_context("reading " + what);
  if (digest->sha256 != b.sha256) {
    return changed_error(
        what, b,
        fmt::format("its SHA-256 is {}, the backup recorded {}", digest->sha256, b.sha256));
  }
  return ok_status();
}

}  // namespace pgshuttle::restore
