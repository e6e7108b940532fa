#include "inspect/inspect.h"

#include "core/human.h"
#include "sql/inspect.h"

namespace pgshuttle::inspect {
namespace {

std::string kind_name(std::string_view relkind) {
  if (relkind == "p") return "partitioned table";
  if (relkind == "m") return "materialized view";
  return "table";
}

Status read_database(pg::Connection& conn, InspectReport& r) {
  PGS_ASSIGN_OR_RETURN(auto q, conn.query(sql::inspect::database));
  r.server_version = q.get(0, 0);
  r.server_version_num = static_cast<int>(q.get_int(0, 1));
  r.database = q.get(0, 2);
  r.encoding = q.get(0, 3);
  r.collate = q.get(0, 4);
  r.ctype = q.get(0, 5);
  r.size_bytes = q.get_int(0, 6);
  r.size_pretty = q.get(0, 7);
  r.connected_as = q.get(0, 8);
  r.is_superuser = q.get_bool(0, 9);
  return ok_status();
}

Status read_tables(pg::Connection& conn, InspectReport& r) {
  PGS_ASSIGN_OR_RETURN(auto q, conn.query(sql::inspect::tables));
  for (int i = 0; i < q.rows(); ++i) {
    TableInfo t;
    t.schema = q.get(i, 0);
    t.name = q.get(i, 1);
    t.kind = kind_name(q.view(i, 2));
    t.unlogged = q.get_bool(i, 3);
    t.is_partition = q.get_bool(i, 4);
    t.heap_bytes = q.get_int(i, 5);
    t.index_bytes = q.get_int(i, 6);
    t.toast_bytes = q.get_int(i, 7);
    t.total_bytes = q.get_int(i, 8);
    t.row_estimate = q.get_int(i, 9);
    t.has_primary_key = q.get_bool(i, 10);
    r.tables.push_back(std::move(t));
  }
  return ok_status();
}

Status read_extensions_and_settings(pg::Connection& conn, InspectReport& r) {
  PGS_ASSIGN_OR_RETURN(auto ext, conn.query(sql::inspect::extensions));
  for (int i = 0; i < ext.rows(); ++i) {
    r.extensions.push_back({ext.get(i, 0), ext.get(i, 1), ext.get(i, 2)});
  }
  PGS_ASSIGN_OR_RETURN(auto s, conn.query(sql::inspect::settings));
  for (int i = 0; i < s.rows(); ++i) {
    r.settings.push_back(
        {s.get(i, 0), s.get(i, 1), s.get(i, 2), s.get(i, 3), s.get(i, 4), s.get(i, 5)});
  }
  PGS_ASSIGN_OR_RETURN(auto ev, conn.query(sql::inspect::event_triggers));
  for (int i = 0; i < ev.rows(); ++i) {
    r.event_triggers.push_back({ev.get(i, 0), ev.get(i, 1), ev.get(i, 2)});
  }
  return ok_status();
}

Status read_large_objects(pg::Connection& conn, InspectReport& r) {
  PGS_ASSIGN_OR_RETURN(auto count, conn.query(sql::inspect::large_objects));
  r.large_object_count = count.get_int(0, 0);
  if (r.large_object_count == 0) {
    r.large_object_bytes = 0;
    return ok_status();
  }
  // pg_largeobject is superuser-only; without access the byte count stays unknown.
  PGS_ASSIGN_OR_RETURN(
      auto has_access,
      conn.query("SELECT has_table_privilege('pg_catalog.pg_largeobject', 'SELECT')"));
  if (has_access.get_bool(0, 0)) {
    PGS_ASSIGN_OR_RETURN(auto bytes, conn.query(sql::inspect::large_object_bytes));
    r.large_object_bytes = bytes.get_int(0, 0);
  }
  return ok_status();
}

}  // namespace

std::vector<const TableInfo*> InspectReport::tables_without_primary_key() const {
  std::vector<const TableInfo*> out;
  for (const auto& t : tables) {
    if (t.kind == "table" && !t.has_primary_key) out.push_back(&t);
  }
  return out;
}

std::vector<const TableInfo*> InspectReport::unlogged_tables() const {
  std::vector<const TableInfo*> out;
  for (const auto& t : tables) {
    if (t.unlogged) out.push_back(&t);
  }
  return out;
}

Recommendation recommend(uint64_t size_bytes) {
  if (size_bytes < kDirectCopyThresholdBytes) {
    return {"dump-and-restore",
            "the database is " + human_bytes(size_bytes) +
                ", under ~100 GB: a pg_dump archive in S3 restores in reasonable time and doubles "
                "as a backup (pgshuttle migrate --via s3://...)"};
  }
  return {"direct copy",
          "the database is " + human_bytes(size_bytes) +
              ", over ~100 GB: copying server to server in parallel avoids writing and reading a "
              "whole archive and shortens the downtime (pgshuttle migrate --direct)"};
}

Result<InspectReport> inspect_database(pg::Connection& conn) {
  InspectReport r;
  // One snapshot for every figure.
  PGS_TRY(conn.exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"));
  PGS_TRY(read_database(conn, r));
  PGS_TRY(read_tables(conn, r));
  PGS_TRY(read_extensions_and_settings(conn, r));
  PGS_TRY(read_large_objects(conn, r));
  PGS_TRY(conn.exec("COMMIT"));
  r.recommendation = recommend(r.size_bytes);
  return r;
}

}  // namespace pgshuttle::inspect
