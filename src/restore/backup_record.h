// BackupRecord: the archive a restore reads, checked against what the
// backup that wrote it recorded (size and SHA-256 in the transfer
// registry), before the target is touched. A backup never overwrites, but
// a `--force` backup, another tool or a damaged disk may replace or alter
// an archive after its record was made: then `restore b002` would load
// other data and say Completed.
//
// Thread safety: plain functions; the registry is the caller's.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "core/result.h"
#include "state/transfer_registry.h"
#include "storage/byte_source.h"

namespace pgshuttle::restore {

// "b003" names a backup.
bool is_transfer_id(const std::string& s);

// The completed backup `source` names: its id ("b003"), or `backup_id`
// (a URL made for that backup, as migrate's), or the newest completed
// backup written to that path or s3:// location; nullopt when none.
// kUsage for an id that is no completed backup with a stored archive.
Result<std::optional<state::Transfer>> find_backup_record(state::TransferRegistry& registry,
                                                          const std::string& source,
                                                          const std::string& backup_id);

struct RecordCheck {
  int parallel = 4;      // ranges read at once for the SHA-256
  bool checksum = true;  // false: compare the size only
};

// kArchiveChanged when `archive` (of `size` bytes) differs from `backup`'s
// record: the size always, the SHA-256 (one parallel read) when recorded
// and asked for.
Status check_against_record(const state::Transfer& backup, storage::ByteSource& archive,
                            uint64_t size, const RecordCheck& check);

}  // namespace pgshuttle::restore
