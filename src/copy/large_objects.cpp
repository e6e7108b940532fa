#include "copy/large_objects.h"

#include <map>
#include <utility>

#include "sql/copy.h"

namespace pgshuttle::copy {

Status copy_large_object(pg::Connection& source, pg::Connection& target, const std::string& oid,
                         const std::optional<std::string>& comment) {
  constexpr int kChunk = 1 << 20;
  // The object exists when pre-data ran (lo_create); create it otherwise.
  PGS_TRY(
      target.query("SELECT lo_create($1::oid) WHERE NOT EXISTS (SELECT 1 FROM "
                   "pg_largeobject_metadata WHERE oid = $1::oid)",
                   {oid}));
  for (int64_t off = 0;; off += kChunk) {
    PGS_ASSIGN_OR_RETURN(auto part,
                         source.query("SELECT lo_get($1::oid, $2::bigint, $3)",
                                      {oid, std::to_string(off), std::to_string(kChunk)}));
    std::string hex = part.get(0, 0);
    if (hex.size() <= 2) break;  // "\x": past the end
    PGS_TRY(target.query("SELECT lo_put($1::oid, $2::bigint, $3::bytea)",
                         {oid, std::to_string(off), hex}));
    if (static_cast<int64_t>(hex.size() - 2) / 2 < kChunk) break;
  }
  if (comment) {
    PGS_TRY(
        target.exec("COMMENT ON LARGE OBJECT " + oid + " IS " + target.quote_literal(*comment)));
  }
  return ok_status();
}

namespace {

struct Digest {
  std::string bytes;
  std::optional<std::string> comment;
};

Result<std::map<std::string, Digest>> digests(pg::Connection& conn) {
  PGS_ASSIGN_OR_RETURN(auto rows, conn.query(sql::copy::large_object_digests));
  std::map<std::string, Digest> out;
  for (int i = 0; i < rows.rows(); ++i) {
    Digest& d = out[rows.get(i, 0)];
    d.bytes = rows.get(i, 1);
    if (!rows.is_null(i, 2)) d.comment = rows.get(i, 2);
  }
  return out;
}

}  // namespace

Result<LargeObjectSync> sync_large_objects(pg::Connection& source, pg::Connection& target) {
  PGS_ASSIGN_OR_RETURN(auto want, digests(source));
  PGS_ASSIGN_OR_RETURN(auto have, digests(target));
  LargeObjectSync out;
  for (const auto& [oid, d] : have) {
    if (want.count(oid)) continue;
    PGS_TRY(target.query("SELECT lo_unlink($1::oid)", {oid}));
    ++out.removed;
  }
  for (const auto& [oid, d] : want) {
    auto it = have.find(oid);
    if (it != have.end() && it->second.bytes == d.bytes && it->second.comment == d.comment) {
      ++out.unchanged;
      continue;
    }
    // A changed object may have become shorter: written afresh.
    if (it != have.end()) PGS_TRY(target.query("SELECT lo_unlink($1::oid)", {oid}));
    PGS_TRY(copy_large_object(source, target, oid, d.comment));
    ++out.copied;
  }
  return out;
}

}  // namespace pgshuttle::copy
