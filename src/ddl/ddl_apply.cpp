#include "ddl/ddl_apply.h"

#include <regex>

#include <fmt/format.h>

#include "core/log.h"

namespace pgshuttle::ddl {

std::string item_label(const DdlItem& item) {
  // pg_dump names every default-privileges entry of a schema alike ("DEFAULT
  // PRIVILEGES FOR TABLES"); only the role they are for tells two apart (the
  // header's owner, "-" with --no-owner, and the statement's FOR ROLE), and
  // resume keys must not merge them.
  if (item.type == "DEFAULT ACL") {
    static const std::regex for_role(std::string("ALTER DEFAULT PRIVILEGES FOR ROLE (") +
                                     kSqlNamePattern + ")");
    std::smatch m;
    std::string role = std::regex_search(item.sql, m, for_role) ? m[1].str() : item.owner;
    return fmt::format("{} {} {} {}", item.type, item.schema, item.name, role);
  }
  return fmt::format("{} {} {}", item.type, item.schema, item.name);
}

bool is_already_exists(std::string_view sqlstate) {
  return sqlstate == "42P07" ||  // duplicate_table (relations, indexes)
         sqlstate == "42710" ||  // duplicate_object (constraints, triggers, types)
         sqlstate == "42P06" ||  // duplicate_schema
         sqlstate == "42723";    // duplicate_function
}

bool is_missing_dependency(std::string_view sqlstate) {
  return sqlstate == "42704" ||  // undefined_object (types, operator classes, ...)
         sqlstate == "42883" ||  // undefined_function (and operators)
         sqlstate == "42P01";    // undefined_table
}

bool is_superuser_only_refusal(const DdlItem& item, std::string_view sqlstate) {
  // 42501: permission denied (C and internal functions, base types,
  // operator classes, ...). An aggregate whose state type is `internal` is
  // refused to a non-superuser as an invalid definition (42P13); pg_dump
  // dumped it from a server that has it, so the definition itself is sound.
  return sqlstate == "42501" || (item.type == "AGGREGATE" && sqlstate == "42P13");
}

bool is_ignorable_failure(const DdlItem& item, std::string_view sqlstate) {
  bool privilege = sqlstate == "42501";  // insufficient_privilege / must be owner
  if (!privilege) return false;
  // Only statements about objects we did not create ourselves, never DDL
  // that defines data.
  return item.type == "COMMENT" || item.type == "ACL" || item.type == "SCHEMA" ||
         item.type == "DEFAULT ACL" || item.type == "EVENT TRIGGER" || item.type == "PUBLICATION" ||
         item.type == "SUBSCRIPTION";
}

bool is_preinstalled_extension_comment(const DdlItem& item, std::string_view sqlstate) {
  // An extension the provider installed belongs to another role; its
  // comment comes from the same control file as the source's, so nothing
  // is lost.
  return sqlstate == "42501" && item.type == "COMMENT" && item.name.rfind("EXTENSION ", 0) == 0;
}

Result<ApplyOutcome> apply_item(pg::Connection& conn, const DdlItem& item,
                                const ApplyPolicy& policy) {
  if (item.sql.find_first_not_of(" \n\t") == std::string::npos) return ApplyOutcome::kApplied;
  // One transaction per item: a failed item leaves nothing half-made.
  Status st = conn.exec("BEGIN;\n" + item.sql + "\nCOMMIT;");
  if (st.ok()) return ApplyOutcome::kApplied;
  (void)conn.exec("ROLLBACK");
  const Error& e = st.error();
  if (policy.tolerate_existing && is_already_exists(e.sqlstate)) {
    log::debug("{} already exists (resumed run)", item_label(item));
    return ApplyOutcome::kAlreadyThere;
  }
  // A primary key added again: the server says "multiple primary keys"
  // (42P16) before it looks at the name. Already there when the table's
  // primary key is the one of this item ("table constraint", the name
  // pg_dump gives it).
  if (policy.tolerate_existing && e.sqlstate == "42P16" && item.type == "CONSTRAINT") {
    PGS_ASSIGN_OR_RETURN(auto same,
                         conn.query("SELECT EXISTS (SELECT FROM pg_catalog.pg_constraint c JOIN "
                                    "pg_catalog.pg_class r ON r.oid = c.conrelid JOIN "
                                    "pg_catalog.pg_namespace n ON n.oid = r.relnamespace WHERE "
                                    "c.contype = 'p' AND n.nspname = $1 AND r.relname || ' ' || "
                                    "c.conname = $2)",
                                    {item.schema, item.name}));
    if (same.get_bool(0, 0)) {
      log::debug("{} already exists (resumed run)", item_label(item));
      return ApplyOutcome::kAlreadyThere;
    }
  }
  if (is_preinstalled_extension_comment(item, e.sqlstate)) {
    log::info("kept the comment of extension {} as the target has it (installed by another role)",
              item.name.substr(sizeof("EXTENSION ") - 1));
    return ApplyOutcome::kAlreadyThere;
  }
  if (policy.skip_unsupported && is_superuser_only_refusal(item, e.sqlstate)) {
    log::warn("skipped {} (--skip-unsupported): {}", item_label(item), e.message);
    return ApplyOutcome::kSkippedUnsupported;
  }
  if (policy.skip_unsupported && policy.after_skips && e.sqlstate == "22023" &&
      item.sql.rfind("SET default_table_access_method = ", 0) == 0) {
    // The table's access method was skipped (only a superuser may create
    // one): the table and its rows still move, in the target's default
    // access method, as pg_restore would leave them.
    DdlItem plain = item;
    plain.sql = item.sql.substr(item.sql.find('\n') + 1);
    PGS_ASSIGN_OR_RETURN(auto outcome, apply_item(conn, plain, policy));
    if (outcome == ApplyOutcome::kApplied) {
      log::warn("created {} in the target's default table access method (--skip-unsupported): {}",
                item_label(item), e.message);
      return ApplyOutcome::kWarned;
    }
    return outcome;
  }
  if (policy.skip_unsupported && policy.after_skips && is_missing_dependency(e.sqlstate)) {
    log::warn("skipped {} (--skip-unsupported): it needs an object skipped before: {}",
              item_label(item), e.message);
    return ApplyOutcome::kSkippedUnsupported;
  }
  if (is_ignorable_failure(item, e.sqlstate)) {
    log::warn("skipped {}: {} (the target user lacks the privilege; harmless for the data)",
              item_label(item), e.message);
    return ApplyOutcome::kWarned;
  }
  Error out = e.with_context(item_label(item));
  if (out.code != ErrorCode::kDiskFull) out.code = ErrorCode::kTarget;  // 11 says more than 4
  return out;
}

}  // namespace pgshuttle::ddl
