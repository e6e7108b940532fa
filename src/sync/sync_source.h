// What sync needs and leaves on the source: the preflight (wal_level,
// the REPLICATION privilege, a free slot), the tables it publishes (each
// must identify its rows: a primary key or a replica identity index), and
// the publication and replication slot it creates and drops, named after
// the run.
//
// Thread safety: plain functions on the caller's connection.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/result.h"
#include "ddl/object_filter.h"
#include "pg/connection.h"
#include "pg/conninfo.h"

namespace pgshuttle::sync {

struct SyncTable {
  std::string schema, name;
  std::string qualified;  // quoted by the server
};

// kBlocked naming the setting and the fix when the source cannot decode.
// `need_slot`: also a free replication slot (not for a run that resumes
// with the slot it made).
Status check_source(pg::Connection& source, bool need_slot = true);

// "schema.name" of the relations `filter` selects on the source (by
// pg_dump, as copy selects them), or nullopt for an empty filter (the
// whole database): what sync_tables takes as `selected`.
Result<std::optional<std::set<std::string>>> selected_relations(const pg::ConnInfo& source,
                                                                pg::Connection& source_conn,
                                                                pg::Connection& target_conn,
                                                                const ddl::ObjectFilter& filter,
                                                                const std::string& pg_bindir);

// The tables to publish (only those whose "schema.name" is in `selected`,
// when given); kBlocked naming every such table without a usable replica
// identity and the fix, or when none is left.
Result<std::vector<SyncTable>> sync_tables(pg::Connection& source,
                                           const std::set<std::string>* selected = nullptr);

// The name of run `id`'s publication and slot: "pgshuttle_s001_<hash of the
// state directory>" (ids count per state directory).
std::string object_name(const std::string& id, const std::string& state_dir);

// CREATE PUBLICATION name FOR TABLE ...; an existing one of that name (an
// interrupted run's) is replaced.
Status create_publication(pg::Connection& source, const std::string& name,
                          const std::vector<SyncTable>& tables);
// Both succeed when the object is already gone. The slot is dropped once no
// session streams from it (waits at most 10 s).
Status drop_publication(pg::Connection& source, const std::string& name);
Status drop_slot(pg::Connection& source, const std::string& slot);

}  // namespace pgshuttle::sync
