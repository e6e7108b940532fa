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
