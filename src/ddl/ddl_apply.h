// DdlApplier: runs DdlItems on a target connection and judges each failure.
//
// Managed-provider targets (the target user is not a superuser) refuse some
// statements that do not matter for the data: a COMMENT ON EXTENSION the user
// does not own, ALTER ... OWNER when owners were kept. Those become warnings.
// When `tolerate_existing` is set (a resumed run), "already exists" errors
// mean the item was applied before the crash and count as done.
//
// Thread safety: one DdlApplier per connection / thread; counters are plain.
#pragma once

#include <string>

#include "core/result.h"
#include "ddl/ddl_script.h"
#include "pg/connection.h"

namespace pgshuttle::ddl {

enum class ApplyOutcome { kApplied, kWarned, kAlreadyThere, kSkippedUnsupported };

struct ApplyPolicy {
  bool tolerate_existing = false;
  // --skip-unsupported: an item the target role lacks the privilege for
  // (a C function, an operator class, a base type: only a superuser may
  // create them) is skipped with a warning instead of stopping the run.
  bool skip_unsupported = false;
  // Set once --skip-unsupported skipped something: an item that then fails
  // because an object it names does not exist (a function over a skipped
  // base type, an index using a skipped operator class, anything on a
  // skipped table) depends on what was skipped, and is skipped with it.
  bool after_skips = false;
};

// True when a failure of `item` with `sqlstate` may be downgraded to a warning.
bool is_ignorable_failure(const DdlItem& item, std::string_view sqlstate);
// True when `item` is the COMMENT ON EXTENSION of an extension another role
// installed (the provider's): the comment is the extension's own, so the
// failure is no loss and not worth a warning.
bool is_preinstalled_extension_comment(const DdlItem& item, std::string_view sqlstate);
// True when `item` failed with `sqlstate` because only a superuser may
// create it (what --skip-unsupported skips).
bool is_superuser_only_refusal(const DdlItem& item, std::string_view sqlstate);
// True for the SQLSTATEs of a statement naming an object that does not
// exist (42704, 42883, 42P01).
bool is_missing_dependency(std::string_view sqlstate);
// True for "duplicate object" SQLSTATEs (42P07, 42710, 42P06, 42723, 42P16 no).
bool is_already_exists(std::string_view sqlstate);

// Runs `item.sql` on `conn` in its own transaction.
Result<ApplyOutcome> apply_item(pg::Connection& conn, const DdlItem& item,
                                const ApplyPolicy& policy);

// A short label for logs: "INDEX shop orders_pkey".
std::string item_label(const DdlItem& item);

}  // namespace pgshuttle::ddl
