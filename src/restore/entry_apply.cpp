#include "restore/entry_apply.h"

#include <algorithm>

#include "core/cancel.h"
#include "core/log.h"
#include "ddl/ddl_apply.h"
#include "pg/connection.h"
#include "restore/job_runner.h"
#include "restore/restore_plan.h"

namespace pgshuttle::restore {
namespace {

// Entries that are not statements to run here: the session settings (in
// the preamble already), the database's own (a restore into an existing
// database leaves them, as pg_restore without --create does).
bool runs_here(const archive::TocEntry& e, bool keep_acl) {
  if (e.desc == "ENCODING" || e.desc == "STDSTRINGS" || e.desc == "SEARCHPATH" ||
      e.desc == "DATABASE" || e.desc == "DATABASE PROPERTIES") {
    return false;
  }
  return keep_acl || (e.desc != "ACL" && e.desc != "DEFAULT ACL");
}

// The entry as one item for ddl::apply_item: the table access method first
// (apply_item falls back to the default one when a refused access method is
// missing), then the tablespace, then the entry's own SQL.
ddl::DdlItem item_of(const pg::Connection& conn, const archive::TocEntry& e) {
  ddl::DdlItem item;
  item.type = e.desc;
  item.schema = e.namespace_name.value_or("-");
  item.name = e.tag;
  item.owner = "-";
  if (e.table_am && !e.table_am->empty()) {
    item.sql += "SET default_table_access_method = " + conn.quote_ident(*e.table_am) + ";\n";
  }
  if (e.tablespace) {
    item.sql += "SET default_tablespace = " +
                (e.tablespace->empty() ? std::string("''") : conn.quote_ident(*e.tablespace)) +
                ";\n";
  }
  item.sql += e.desc == "BLOB METADATA" ? large_object_create_sql(conn, e.defn) : e.defn;
  return item;
}

}  // namespace

Result<EntriesOutcome> apply_entries(const pg::ConnInfo& target, const archive::ArchiveToc& toc,
                                     const std::vector<int>& ids, const std::string& preamble,
                                     bool keep_acl) {
  PGS_ASSIGN_OR_RETURN(auto conn, pg::Connection::connect(target, pg::Side::kTarget));
  PGS_TRY(conn.exec(preamble));
  EntriesOutcome out;
  std::set<int> left_out;  // refused, and what was left out for depending on them
  for (int id : ids) {
    if (cancelled()) {
      out.cancelled = true;
      break;
    }
    const archive::TocEntry* e = toc.find(id);
    if (!e || !runs_here(*e, keep_acl)) continue;
    // Tried even when it depends on a refused entry, as pg_restore would:
    // a table whose access method was refused is still created (in the
    // default one), and what really needs a refused object fails with
    // a missing-object SQLSTATE and is left out with it.
    ddl::ApplyPolicy policy{false, true, !left_out.empty()};
    auto r = ddl::apply_item(conn, item_of(conn, *e), policy);
    if (!r.ok()) {
      const Error& err = r.error();
      Severity sev = classify(err.message, e->defn.substr(0, e->defn.find('\n')));
      out.errors.push_back({sev, entry_label(*e), err.message, "", err.code});
      if (sev == Severity::kFatal) break;
      continue;
    }
    if (*r == ddl::ApplyOutcome::kSkippedUnsupported) {
      bool after_refused = std::any_of(e->dependencies.begin(), e->dependencies.end(),
                                       [&](int d) { return left_out.count(d) > 0; });
      (after_refused ? out.dependent : out.refused).insert(id);
      left_out.insert(id);
      out.refused_labels.push_back(entry_label(*e));
    } else {
      out.applied.insert(id);
    }
  }
  log::info(
      "{} entries applied, {} refused to the target role, {} left out with them "
      "(--skip-unsupported)",
      out.applied.size(), out.refused.size(), out.dependent.size());
  return out;
}

}  // namespace pgshuttle::restore
