// EntryApply: the schema entries (and the final ones) of a parallel
// restore run by pgshuttle itself, one transaction each, through
// ddl::apply_item (the applier copy uses), instead of by pg_restore. Used for --skip-unsupported:
// pg_restore reports a refusal only as English text, while here each failure comes with its
// SQLSTATE, so an entry only a superuser may create (a C function, a base type, an operator class
// ...) is told apart from a real error, left out, and so is everything that depends on it.
//
// The session is set up as pg_restore's (session_preamble); each entry runs
// under its table access method and tablespace as pg_restore emits them,
// without owners (--keep-owner is refused with --skip-unsupported) and
// without ACLs unless asked for.
//
// Thread safety: one call at a time per target.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "archive/archive_toc.h"
#include "core/result.h"
#include "pg/conninfo.h"
#include "restore/restore_error.h"

namespace pgshuttle::restore {

struct EntriesOutcome {
  std::set<int> refused;    // dump ids the target refused to a non-superuser
  std::set<int> dependent;  // dump ids that failed for want of an object refused before
  std::vector<std::string> refused_labels;  // "FUNCTION public.my_abs(integer)", in order
  std::set<int> applied;                    // dump ids run (some with a warning)
  std::vector<RestoreError> errors;         // warnings, and the fatal error that stopped it
  bool cancelled = false;
};

// Runs the entries `ids` of `toc`, in order, on `target`.
Result<EntriesOutcome> apply_entries(const pg::ConnInfo& target, const archive::ArchiveToc& toc,
                                     const std::vector<int>& ids, const std::string& preamble,
                                     bool keep_acl);

}  // namespace pgshuttle::restore
