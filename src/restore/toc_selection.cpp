#include "restore/toc_selection.h"

#include <fmt/format.h>

#include "core/log.h"

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
    case SkipReason::kOwnersComment:
      return "the extension's owner on the target keeps its own comment";
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
  return archive::defines_relation(e) || archive::carries_relation_data(e);
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
  auto named_out = [&](const TocEntry& e) {  // excluded by name
    bool has_schema = e.namespace_name && !e.namespace_name->empty();
    return (has_schema && f.exclude_schemas.count(*e.namespace_name)) ||
           (e.desc == "SCHEMA" && f.exclude_schemas.count(e.tag)) ||
           (is_relation(e) && f.exclude_tables.count({e.namespace_name.value_or(""), e.tag}));
  };
  auto own = [&](const TocEntry& e) {
    Name name{e.namespace_name.value_or(""), e.tag};
    bool has_schema = e.namespace_name && !e.namespace_name->empty();
    // Large objects come with any filter, as backup and copy take them
    // (pg_dump --blobs).
    bool blobs = e.desc == "BLOB" || e.desc == "BLOBS" || e.desc == "BLOB METADATA";
    bool in = !includes || blobs || (has_schema && f.schemas.count(name.first)) ||
              (e.desc == "SCHEMA" && f.schemas.count(e.tag)) ||
              (is_relation(e) && f.tables.count(name));
    return in && !named_out(e);
  };
  // A table's sequences come with it, as in pg_dump: a serial column's
  // (its DEFAULT entry depends on the table and the sequence) and an
  // identity column's (its SEQUENCE entry depends on the table). A
  // SEQUENCE OWNED BY names only its sequence: it follows that sequence's
  // tables.
  std::map<int, const TocEntry*> by_id;
  for (const TocEntry& e : toc.entries) by_id[e.dump_id] = &e;
  std::map<int, std::vector<int>> tables_of_sequence;
  for (const TocEntry& e : toc.entries) {
    if (e.desc != "DEFAULT" && e.desc != "SEQUENCE") continue;
    std::vector<int> tables, sequences;
    if (e.desc == "SEQUENCE") sequences.push_back(e.dump_id);
    for (int dep : e.dependencies) {
      auto it = by_id.find(dep);
      if (it == by_id.end()) continue;
      if (it->second->desc == "TABLE") tables.push_back(dep);
      if (e.desc == "DEFAULT" && it->second->desc == "SEQUENCE") sequences.push_back(dep);
    }
    for (int seq : sequences) {
      for (int t : tables) tables_of_sequence[seq].push_back(t);
    }
  }
  std::set<std::string> schemas_of_tables;  // a table taken by name needs its schema
  for (const auto& [seq, tables] : tables_of_sequence) {
    const TocEntry& sequence = *by_id.at(seq);
    for (int t : tables) {
      if (own(*by_id.at(t)) && !named_out(sequence)) {
        f.tables.insert({sequence.namespace_name.value_or(""), sequence.tag});
      }
    }
  }
  for (const TocEntry& e : toc.entries) {
    if (is_relation(e) && own(e) && e.namespace_name) schemas_of_tables.insert(*e.namespace_name);
  }
  // What an entry depends on, with a SEQUENCE OWNED BY's tables added.
  auto dependencies = [&](const TocEntry& e) {
    std::vector<int> deps = e.dependencies;
    if (e.desc != "SEQUENCE OWNED BY") return deps;
    for (int dep : e.dependencies) {
      auto it = tables_of_sequence.find(dep);
      if (it != tables_of_sequence.end())
        deps.insert(deps.end(), it->second.begin(), it->second.end());
    }
    return deps;
  };
  // In archive order (pg_dump writes what an entry depends on first): a
  // relation goes by its name; another entry comes when it is selected or
  // belongs to a kept entry (and is not excluded by name), unless it
  // depends on a relation left out (or on what went with one).
  std::set<int> kept, gone_with_relation;
  for (const TocEntry& e : toc.entries) {
    bool keep = own(e) || (e.desc == "SCHEMA" && schemas_of_tables.count(e.tag) && !named_out(e));
    bool wanted_but_needs_gone = false;
    if (!is_relation(e)) {
      bool on_kept = false, on_gone = false;
      for (int dep : dependencies(e)) {
        on_kept = on_kept || kept.count(dep) > 0;
        on_gone = on_gone || gone_with_relation.count(dep) > 0;
      }
      bool part = keep || (on_kept && !named_out(e));
      keep = part && !on_gone;
      // An entry that ties the part to a table left out (a foreign key
      // between them) goes, said rather than silent; one that belongs to
      // the left-out table alone (its index, its comment, its sequence's
      // OWNED BY) goes silently, as pg_dump leaves it out too.
      wanted_but_needs_gone =
          part && on_kept && on_gone && e.desc != "SEQUENCE OWNED BY" && !is_annotation(e);
      if (on_gone) gone_with_relation.insert(e.dump_id);
    } else if (!keep) {
      gone_with_relation.insert(e.dump_id);
    }
    if (keep) {
      kept.insert(e.dump_id);
    } else if (!skipped_.count(e.dump_id)) {
      skipped_[e.dump_id] = wanted_but_needs_gone && archive::listed_by_pg_restore(e)
                                ? SkipReason::kNeedsFilteredOut
                                : SkipReason::kFiltered;
    }
  }
  return ok_status();
}

int note_acls_left_out(const archive::ArchiveToc& toc, const TocSelection& selection) {
  int n = 0;
  for (const TocEntry& e : toc.entries) {
    if ((e.desc == "ACL" || e.desc == "DEFAULT ACL") && !selection.skipped(e.dump_id)) ++n;
  }
  if (n > 0) {
    log::info(
        "{} ACL entries (objects' GRANTs and REVOKEs, default privileges) left out: --keep-acl "
        "keeps them once their roles exist on the target (pgshuttle roles SOURCE TARGET lists "
        "them)",
        n);
  }
  return n;
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
    if (it->second == SkipReason::kFiltered) continue;       // asked for
    if (it->second == SkipReason::kOwnersComment) continue;  // nothing lost
    std::string what =
        e.namespace_name && !e.namespace_name->empty() ? *e.namespace_name + "." + e.tag : e.tag;
    out.push_back(fmt::format("skipped {} {}: {}", e.desc, what, skip_reason_text(it->second)));
  }
  return out;
}

void TocSelection::leave_out_comments_of(const archive::ArchiveToc& toc,
                                         const std::set<std::string>& others) {
  if (others.empty()) return;
  std::set<int> extensions;
  for (const TocEntry& e : toc.entries) {
    if (e.desc == "EXTENSION" && others.count(e.tag)) extensions.insert(e.dump_id);
  }
  for (const TocEntry& e : toc.entries) {
    if (e.desc != "COMMENT" || skipped(e.dump_id)) continue;
    for (int d : e.dependencies) {
      if (!extensions.count(d)) continue;
      skipped_[e.dump_id] = SkipReason::kOwnersComment;
      log::info("{}: {}", e.tag, skip_reason_text(SkipReason::kOwnersComment));
    }
  }
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
