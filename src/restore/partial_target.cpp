#include "restore/partial_target.h"

#include "core/redact.h"
#include "pg/connection.h"
#include "state/run_store.h"
#include "state/transfer_registry.h"
#include "target/target_objects.h"

namespace pgshuttle::restore {
namespace {

constexpr std::string_view kTargetKey = "target_database_oid";

std::string run_key(const std::string& id) { return "restore:" + id; }

Result<std::string> identity_of(const pg::ConnInfo& target) {
  PGS_ASSIGN_OR_RETURN(auto conn, pg::Connection::connect(target, pg::Side::kTarget));
  return target::database_identity(conn);
}

}  // namespace

Result<std::optional<std::string>> own_partial_target(const std::string& state_dir,
                                                      const std::string& source,
                                                      const pg::ConnInfo& target) {
  PGS_ASSIGN_OR_RETURN(auto registry, state::TransferRegistry::open(state_dir));
  PGS_ASSIGN_OR_RETURN(auto all, registry.list());
  std::string destination = redact(target.to_uri(false));
  for (const auto& t : all) {  // newest first
    if (t.kind != state::TransferKind::kRestore || t.destination != destination) continue;
    if (t.source != redact(source) || !state::interrupted(t)) return std::optional<std::string>();
    PGS_ASSIGN_OR_RETURN(auto store, state::RunStore::open(state_dir, run_key(t.id)));
    PGS_ASSIGN_OR_RETURN(auto recorded, store->value(kTargetKey));
    if (!recorded) return std::optional<std::string>();
    PGS_ASSIGN_OR_RETURN(std::string now, identity_of(target));
    if (*recorded != now) return std::optional<std::string>();
    return std::optional<std::string>(t.id);
  }
  return std::optional<std::string>();
}

Status record_target(const std::string& state_dir, const std::string& id,
                     const pg::ConnInfo& target) {
  PGS_ASSIGN_OR_RETURN(std::string now, identity_of(target));
  PGS_ASSIGN_OR_RETURN(auto store, state::RunStore::open(state_dir, run_key(id)));
  return store->set_value(kTargetKey, now);
}

}  // namespace pgshuttle::restore
