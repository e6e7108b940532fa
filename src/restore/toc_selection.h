// TocSelection: which entries of an archive's TOC (archive::ArchiveToc, the
// one TOC model) a restore into a managed target leaves out, and why, as
// typed values. Left out are event triggers (a superuser's), the objects
// only a provider may own (the aiven_extras extension, the heroku_ext schema
// and what lives in it) and every comment, ACL or security label that
// depends on a left-out entry. From the selection come the warnings, the
// extensions the target must have, and the list handed to `pg_restore -L`.
//
// Thread safety: plain value type.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "archive/archive_toc.h"
#include "core/result.h"
#include "ddl/object_filter.h"

namespace pgshuttle::restore {

enum class SkipReason {
  kNeedsSuperuser,    // an event trigger: left out of every managed restore
  kProviderOnly,      // the provider's own schema or extension
  kRefused,           // the target refused it to a non-superuser (--skip-unsupported)
  kDependsOnSkipped,  // it depends, directly or not, on a refused entry
  kFiltered,          // --include/--exclude left it out (asked for: no warning)
  kNeedsFilteredOut,  // selected, but it depends on a table the filter left out
  // The COMMENT of an extension another role installed on the target (the
  // provider's): only its owner may set it, and CREATE EXTENSION set the
  // same text from the same control file. Not worth a warning, as in copy.
  kOwnersComment,
};

class TocSelection {
 public:
  // The selection for a target where pgshuttle's role is no superuser.
  static TocSelection for_managed_target(const archive::ArchiveToc& toc);

  // Leaves out `refused` (entries the target role may not create:
  // --skip-unsupported), `dependent` (entries that failed for want of one)
  // and every entry that depends on one of them, directly or through others
  // (a table with a column of a refused type, its data, its indexes, their
  // comments), except the entries in `applied`, which were created anyway
  // (a table whose access method was refused, created in the default one).
  void leave_out_refused(const archive::ArchiveToc& toc, const std::set<int>& refused,
                         const std::set<int>& dependent, const std::set<int>& applied);

  // --include / --exclude (exact names, ddl::exact_name_parts): leaves out
  // what pg_dump would not have dumped with that filter (a schema's
  // entries, a table's with its data, indexes, constraints, triggers and
  // comments; database-wide entries such as extensions and large objects
  // when anything is included), and also what would then fail: an entry
  // of the part that depends on a table left out (a foreign key to it).
  Status leave_out_unselected(const archive::ArchiveToc& toc, const ddl::ObjectFilter& filter);

  // Leaves out the COMMENT entries of the EXTENSION entries named in
  // `others` (extensions another role owns on the target).
  void leave_out_comments_of(const archive::ArchiveToc& toc, const std::set<std::string>& others);

  bool skipped(int dump_id) const { return skipped_.count(dump_id) > 0; }
  // Dump ids left out, with their reasons.
  const std::map<int, SkipReason>& skipped_entries() const { return skipped_; }
  std::set<int> excluded_ids() const;
  // One line per left-out entry: "skipped EVENT TRIGGER evt_ddl: event
  // triggers need a superuser".
  std::vector<std::string> warnings(const archive::ArchiveToc& toc) const;
  // Names of the EXTENSION entries that are restored.
  std::vector<std::string> extensions(const archive::ArchiveToc& toc) const;
  // The list for `pg_restore -L`: every entry pg_restore would restore (or,
  // with `only`, those of its ids), in archive order; left-out entries are
  // written as comments so that the list shows what was skipped.
  std::string render_list(const archive::ArchiveToc& toc,
                          const std::set<int>* only = nullptr) const;

 private:
  std::map<int, SkipReason> skipped_;
};

std::string_view skip_reason_text(SkipReason reason);

// Without --keep-acl: the ACL entries (one object's GRANTs and REVOKEs, or
// default privileges) of the selection that are left out; said in the log
// when there are any, with where to read the roles they name.
int note_acls_left_out(const archive::ArchiveToc& toc, const TocSelection& selection);

}  // namespace pgshuttle::restore
