// ExtensionPlan: which extensions the target needs so that objects from the
// source load, and what the target can do about each one — the guide's `\dx`
// comparison made into data.
//
// plan_extensions() reads both catalogs and writes nothing. An extension the
// source has is either already on the target, creatable at the same version,
// creatable only at another version (the plan says which), not offered by
// the target server at all, or offered but not creatable by the connected
// role (untrusted for a non-superuser, or no CREATE on the database). The
// plan carries what the target does offer, so a refusal can name the
// alternatives. apply_extension_plan() creates the creatable ones.
//
// Used by `pgshuttle extensions`, `check`, and by restore/copy/migrate before
// they load objects.
//
// Thread safety: functions use the calling thread's connections.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "pg/connection.h"

namespace pgshuttle::extensions {

struct InstalledExtension {
  std::string name;
  std::string version;
  std::string schema;
};

// What one server offers for one extension (pg_available_extension_versions).
struct AvailableExtension {
  std::string name;
  std::string default_version;
  std::string installed_version;  // empty when not installed
  std::vector<std::string> versions;
  std::vector<std::string> creatable_versions;  // by the connected role
};

struct TargetOffer {
  std::map<std::string, AvailableExtension> extensions;
  bool role_is_superuser = false;
  bool role_can_create_in_database = false;
};

enum class ExtensionAction {
  kPresent,              // installed on the target at the source's version
  kPresentOtherVersion,  // installed on the target at another version the source's objects suit
  kPresentIncompatible,  // installed at an older version that cannot be updated to the source's
  kCreate,               // will be created at the source's version
  kCreateOtherVersion,   // will be created at `create_version` (source's is not offered)
  kNotAvailable,         // the target server does not offer it
  kNotPermitted,         // offered, but the connected role may not create it
};

std::string_view action_name(ExtensionAction action);
// True for kNotAvailable, kNotPermitted and kPresentIncompatible: the
// migration cannot load the source's objects that use it.
bool is_blocking(ExtensionAction action);

struct ExtensionPlanItem {
  std::string name;
  std::string schema;          // the source's schema (or empty for a requested name)
  std::string source_version;  // empty for a name asked for with extra_names
  std::string target_version;  // installed on the target, empty when absent
  std::string create_version;  // for kCreate / kCreateOtherVersion
  ExtensionAction action = ExtensionAction::kPresent;
  std::string detail;  // why, and what the target offers instead
};

struct ExtensionPlan {
  std::vector<ExtensionPlanItem> items;
  std::vector<std::string> target_only;  // installed on the target, not on the source
  std::string target_user;

  std::vector<const ExtensionPlanItem*> blocking() const;
  std::vector<const ExtensionPlanItem*> to_create() const;
};

// Installed extensions of the connection's database (pg_extension).
Result<std::vector<InstalledExtension>> list_extensions(pg::Connection& conn);

// What the connection's server offers and what its role may create.
Result<TargetOffer> read_offer(pg::Connection& conn);

// Pure planning step (unit-tested): `source` extensions plus `extra_names`
// (extensions wanted regardless of the source, e.g. restore --extensions)
// against the target's installed list and offer.
ExtensionPlan make_plan(const std::vector<InstalledExtension>& source,
                        const std::vector<std::string>& extra_names, const TargetOffer& offer);

// -1, 0 or 1 comparing dotted numeric versions ("3.3.2" < "3.4"); nullopt
// when either is not made of numbers and dots.
std::optional<int> compare_versions(const std::string& a, const std::string& b);

// Judges an extension installed on the target at another version than the
// source's (pure; unit-tested): fine when the installed version can be
// updated to the source's (`can_update_to_source`, the fix says how) or is
// newer (`source_updates_to_it`, or by version number); otherwise
// kPresentIncompatible.
void judge_installed_version(ExtensionPlanItem& item, bool can_update_to_source,
                             bool source_updates_to_it);

// Reads both sides and plans; writes nothing.
Result<ExtensionPlan> plan_extensions(pg::Connection& source, pg::Connection& target,
                                      const std::vector<std::string>& extra_names = {});

// The statement that creates `item` on the target.
std::string create_statement(const ExtensionPlanItem& item);

// Creates every kCreate / kCreateOtherVersion item (CASCADE, in the source's
// schema, creating that schema when missing). Blocking items are skipped:
// call is_blocking() first when they must stop the caller. Returns the names
// created.
Result<std::vector<std::string>> apply_extension_plan(pg::Connection& target,
                                                      const ExtensionPlan& plan);

// kMissingExtension naming every blocking item and what the target offers,
// or ok when nothing blocks.
Status blocking_error(const ExtensionPlan& plan);

nlohmann::json to_json(const ExtensionPlan& plan);
std::string to_text(const ExtensionPlan& plan);

}  // namespace pgshuttle::extensions
