#include "check/superuser_objects.h"

#include <fmt/format.h>

#include <map>
#include <string_view>

#include "sql/target.h"

namespace pgshuttle::check {
namespace {

struct KindText {
  std::string_view what;  // "function(s) in LANGUAGE c or internal"
  std::string_view fix;   // the way out for a non-superuser target
};

// What each kind of sql/check/superuser_objects.sql is, and the fix.
const std::map<std::string, KindText, std::less<>>& kinds() {
  static const std::map<std::string, KindText, std::less<>> k = {
      {"c-function",
       {"function(s) in LANGUAGE c or internal",
        "ask the provider for an extension that ships them, rewrite them in SQL or PL/pgSQL, "
        "or drop them on the source"}},
      {"base-type",
       {"base type(s) with C input/output functions",
        "ask the provider for the extension that defines the type, or replace it with a domain "
        "or composite type on the source"}},
      {"internal-aggregate",
       {"aggregate(s) with transition type internal",
        "rewrite them with a SQL-visible transition type, or drop them on the source"}},
      {"operator-class",
       {"operator class(es)",
        "ask the provider for an extension that ships them, or drop them "
        "(and indexes using them) on the source"}},
      {"operator-family",
       {"operator family/families",
        "ask the provider for an extension that ships them, or drop "
        "them on the source"}},
      {"transform",
       {"transform(s)",
        "ask the provider for the transform extension, or drop them on the "
        "source"}},
      {"binary-cast",
       {"binary-coercible cast(s) (WITHOUT FUNCTION)",
        "recreate them WITH FUNCTION or WITH INOUT, or drop them on the source"}},
      {"text-search-parser",
       {"text search parser(s)",
        "ask the provider for an extension that ships them, or drop "
        "them on the source"}},
      {"text-search-template",
       {"text search template(s)",
        "ask the provider for an extension that ships them, or drop "
        "them on the source"}},
      {"foreign-data-wrapper",
       {"foreign-data wrapper(s) not created by an extension",
        "use the provider's FDW extension (CREATE EXTENSION postgres_fdw ...), or drop them on "
        "the source"}},
      {"access-method",
       {"access method(s) not created by an extension",
        "ask the provider for the extension that defines it, or drop it on the source"}},
      {"publication",
       {"publication(s) of all tables or of whole schemas",
        "a FOR ALL TABLES publication is not created at all, a FOR TABLES IN SCHEMA one is "
        "created without its schemas; list the tables instead (FOR TABLE ...) on the source, or "
        "create it on the target as a superuser"}},
      {"subscription",
       {"subscription(s)",
        "create them on the target after the move, as a role the provider allows to (on 16 "
        "and later, a member of pg_create_subscription), or drop them on the source"}},
  };
  return k;
}

std::string list_names(const std::vector<std::string>& names, size_t limit = 10) {
  std::string out;
  for (size_t i = 0; i < names.size() && i < limit; ++i) out += (i ? ", " : "") + names[i];
  if (names.size() > limit) out += fmt::format(" and {} more", names.size() - limit);
  return out;
}

}  // namespace

Status check_superuser_objects(CheckReport& rep, pg::Connection& source, bool target_superuser) {
  PGS_ASSIGN_OR_RETURN(auto rows, source.query(sql::target::superuser_objects));
  std::map<std::string, std::vector<std::string>> by_kind;
  for (int i = 0; i < rows.rows(); ++i) by_kind[rows.get(i, 0)].push_back(rows.get(i, 1));
  for (const auto& [kind, names] : by_kind) {
    auto it = kinds().find(kind);
    std::string what = it != kinds().end() ? std::string(it->second.what) : kind;
    std::string message =
        fmt::format("{} {} only a superuser can create: {}", names.size(), what, list_names(names));
    if (target_superuser) {
      rep.add(Severity::kInfo, "superuser-only-" + kind, message,
              "the target role is a superuser: they will load");
      continue;
    }
    std::string fix = "the target role is not a superuser; ";
    fix += it != kinds().end() ? it->second.fix : std::string_view("drop them on the source");
    rep.add(Severity::kBlocker, "superuser-only-" + kind, message, fix);
  }
  return ok_status();
}

}  // namespace pgshuttle::check
