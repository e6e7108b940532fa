// What sync needs and leaves on the source: the preflight (wal_level,
// the REPLICATION privilege, a free slot), the tables it publishes (each
// must identify its rows: a primary key or a replica identity index), and
// the publication and replication slot it creates and drops, named after
// the run.
//
// Thread safety: plain functions on the caller's connection.
#pragma once

#include <string>
#include <vector>

#include "core/result.h"
#include "pg/connection.h"

namespace pgshuttle::sync {

struct SyncTable {
  std::string schema, name;
  std::string qualified;  // quoted by the server
};

// kBlocked naming the setting and the fix when the source cannot decode.
// `need_slot`: also a free replication slot (not for a run that resumes
// with the slot it made).
Status check_source(pg::Connection& source, bool need_slot = true);

// The tables to publish; kBlocked naming every table without a usable
// replica identity and the fix.
Result<std::vector<SyncTable>> sync_tables(pg::Connection& source);

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
