#include "restore/toc_selection.h"

#include <fmt/format.h>

namespace pgshuttle::restore {
namespace {

using archive::TocEntry;

constexpr std::string_view kProviderSchema = "heroku_ext";
constexpr std::string_view kProviderExtension = "aiven_extras";

std::optional<SkipReason> own_reason(const TocEntry& e) {
  if (e.desc == "EVENT TRIGGER") return SkipReason::kNeedsSuperuser;
  if (e.namespace_name.value_or("") == kProviderSchema) return SkipReason::kProviderOnly;
  if (e.desc == "SCHEMA" && e.tag == kProviderSchema) return SkipReason::kProviderOnly;
  if (e.desc == "EXTENSION" && e.tag == kProviderExtension) return SkipReason::kProviderOnly;
  return std::nullopt;
}

// Entries that only annotate another object go with it.
bool is_annotation(const TocEntry& e) {
  return e.desc == "COMMENT" || e.desc == "ACL" || e.desc == "SECURITY LABEL";
}

}  // namespace

std::string_view skip_reason_text(SkipReason reason) {
  switch (reason) {
    case SkipReason::kNeedsSuperuser:
      return "event triggers need a superuser";
    case SkipReason::kProviderOnly:
      return "provider-only object";
    case SkipReason::kRefused:
      return "only a superuser may create it (--skip-unsupported)";
    case SkipReason::kDependsOnSkipped:
      return "it depends on an object skipped before (--skip-unsupported)";
    case SkipReason::kFiltered:
      return "left out by --include/--exclude";
    case SkipReason::kNeedsFilteredOut:
      return "it needs a table --include/--exclude left out (it would fail)";
  }
  return "skipped";
}

TocSelection TocSelection::for_managed_target(const archive::ArchiveToc& toc) {
  TocSelection s;
  // pg_dump writes an object before the entries that annotate it, so one
  // pass in archive order sees every annotated object's decision first.
  for (const TocEntry& e : toc.entries) {
    if (auto reason = own_reason(e)) {
      s.skipped_[e.dump_id] = *reason;
      continue;
    }
    if (!is_annotation(e)) continue;
    for (int dep : e.dependencies) {
      auto it = s.skipped_.find(dep);
      if (it == s.skipped_.end()) continue;
      s.skipped_[e.dump_id] = it->second;
      break;
    }
  }
  return s;
}

void TocSelection::leave_out_refused(const archive::ArchiveToc& toc, const std::set<int>& refused,
                                     const std::set<int>& dependent, const std::set<int>& applied) {
  for (int id : refused) skipped_[id] = SkipReason::kRefused;
  for (int id : dependent) skipped_[id] = SkipReason::kDependsOnSkipped;
  // pg_dump sorts entries after what they depend on; repeating the pass
  // until nothing changes covers any entry that does not follow that order.
  for (bool changed = true; changed;) {
    changed = false;
    for (const TocEntry& e : toc.entries) {
      if (skipped(e.dump_id) || applied.count(e.dump_id)) continue;
      for (int dep : e.dependencies) {
        auto it = skipped_.find(dep);
        if (it == skipped_.end()) continue;
        if (it->second != SkipReason::kRefused && it->second != SkipReason::kDependsOnSkipped) {
          continue;
        }
        skipped_[e.dump_id] = SkipReason::kDependsOnSkipped;
        changed = true;
        break;
      }
    }
  }
}

namespace {

using Name = std::pair<std::string, std::string>;  // schema, name

struct ExactFilter {
  std::set<std::string> schemas, exclude_schemas;
  std::set<Name> tables, exclude_tables;
};

Status add_names(const std::vector<std::string>& patterns, std::set<std::string>& schemas,
                 std::set<Name>& tables) {
  for (const auto& p : patterns) {
    PGS_ASSIGN_OR_RETURN(auto parts, ddl::exact_name_parts(p));
    if (parts.size() == 1) {
      schemas.insert(parts[0]);
    } else {
      tables.insert({parts[0], parts[1]});
    }
  }
  return ok_status();
}

bool is_relation(const TocEntry& e) {
  static const std::set<std::string> kDescs = {
      "TABLE", "TABLE DATA",        "SEQUENCE",      "SEQUENCE SET",
      "VIEW",  "MATERIALIZED VIEW", "FOREIGN TABLE", "MATERIALIZED VIEW DATA"};
  return kDescs.count(e.desc) > 0;
}

}  // namespace

Status TocSelection::leave_out_unselected(const archive::ArchiveToc& toc,
                                          const ddl::ObjectFilter& filter) {
  if (filter.empty()) return ok_status();
  ExactFilter f;
  // A schema pattern may come as -t's spelling of a table too: each list
  // is read by the number of its parts.
  PGS_TRY(add_names(filter.schemas, f.schemas, f.tables));
  PGS_TRY(add_names(filter.tables, f.schemas, f.tables));
  PGS_TRY(add_names(filter.exclude_schemas, f.exclude_schemas, f.exclude_tables));
  PGS_TRY(add_names(filter.exclude_tables, f.exclude_schemas, f.exclude_tables));
  const bool includes = !f.schemas.empty() || !f.tables.empty();
  auto own = [&](const TocEntry& e) {
    Name name{e.namespace_name.value_or(""), e.tag};
    bool has_schema = e.namespace_name && !e.namespace_name->empty();
    bool in = !includes || (has_schema && f.schemas.count(name.first)) ||
              (e.desc == "SCHEMA" && f.schemas.count(e.tag)) ||
              (is_relation(e) && f.tables.count(name));
    bool out = (has_schema && f.exclude_schemas.count(name.first)) ||
               (e.desc == "SCHEMA" && f.exclude_schemas.count(e.tag)) ||
               (is_relation(e) && f.exclude_tables.count(name));
    return in && !out;
  };
  // A table's own sequences (SEQUENCE OWNED BY) come with it, as in pg_dump.
  std::map<int, const TocEntry*> by_id;
  for (const TocEntry& e : toc.entries) by_id[e.dump_id] = &e;
  for (const TocEntry& e : toc.entries) {
    if (e.desc != "SEQUENCE OWNED BY") continue;
    bool table_in = false;
    for (int dep : e.dependencies) {
      auto it = by_id.find(dep);
      if (it != by_id.end() && it->second->desc == "TABLE" && own(*it->second)) table_in = true;
    }
    if (!table_in) continue;
    for (int dep : e.dependencies) {
      auto it = by_id.find(dep);
      if (it == by_id.end() || it->second->desc != "SEQUENCE") continue;
      Name seq{it->second->namespace_name.value_or(""), it->second->tag};
      if (!f.exclude_tables.count(seq)) f.tables.insert(seq);
    }
  }
  // In archive order (pg_dump writes what an entry depends on first): a
  // relation goes by its name; another entry comes when it is selected or
  // belongs to a kept entry, unless it depends on a relation left out (or
  // on what went with one).
  std::set<int> kept, gone_with_relation;
  for (const TocEntry& e : toc.entries) {
    bool keep = own(e);
    if (!is_relation(e)) {
      bool on_kept = false, on_gone = false;
      for (int dep : e.dependencies) {
        on_kept = on_kept || kept.count(dep) > 0;
        on_gone = on_gone || gone_with_relation.count(dep) > 0;
      }
      keep = (keep || on_kept) && !on_gone;
      if (on_gone) gone_with_relation.insert(e.dump_id);
    } else if (!keep) {
      gone_with_relation.insert(e.dump_id);
    }
    if (keep) {
      kept.insert(e.dump_id);
    } else if (!skipped_.count(e.dump_id)) {
      // Part of the selection, but it would fail without what was left out
      // (a foreign key to an excluded table): said, not silent.
      skipped_[e.dump_id] = !is_relation(e) && own(e) && archive::listed_by_pg_restore(e)
                                ? SkipReason::kNeedsFilteredOut
                                : SkipReason::kFiltered;
    }
  }
  return ok_status();
}

std::set<int> TocSelection::excluded_ids() const {
  std::set<int> out;
  for (const auto& [id, reason] : skipped_) out.insert(id);
  return out;
}

std::vector<std::string> TocSelection::warnings(const archive::ArchiveToc& toc) const {
  std::vector<std::string> out;
  for (const TocEntry& e : toc.entries) {
    auto it = skipped_.find(e.dump_id);
    if (it == skipped_.end() || !archive::listed_by_pg_restore(e)) continue;
    if (it->second == SkipReason::kFiltered) continue;  // asked for
    std::string what =
        e.namespace_name && !e.namespace_name->empty() ? *e.namespace_name + "." + e.tag : e.tag;
    out.push_back(fmt::format("skipped {} {}: {}", e.desc, what, skip_reason_text(it->second)));
  }
  return out;
}

std::vector<std::string> TocSelection::extensions(const archive::ArchiveToc& toc) const {
  std::vector<std::string> out;
  for (const TocEntry& e : toc.entries) {
    if (e.desc == "EXTENSION" && !skipped(e.dump_id)) out.push_back(e.tag);
  }
  return out;
}

std::string TocSelection::render_list(const archive::ArchiveToc& toc,
                                      const std::set<int>* only) const {
  std::string out;
  for (const TocEntry& e : toc.entries) {
    if (!archive::listed_by_pg_restore(e)) continue;
    if (only && !only->count(e.dump_id)) continue;
    if (skipped(e.dump_id)) out += ';';
    out += archive::list_line(e);
    out += '\n';
  }
  return out;
}

}  // namespace pgshuttle::restore
