#include "verify/known_skips.h"

#include "core/log.h"
#include "target/unsupported_objects.h"

namespace pgshuttle::verify {

Status mark_known_skips(pg::Connection& source, std::vector<Difference>& differences) {
  PGS_ASSIGN_OR_RETURN(auto unsupported, target::unsupported_objects(source));
  int marked = 0;
  for (auto& d : differences) {
    if (d.severity != Severity::kDifference) continue;
    if (d.problem == "missing on target" && unsupported.count(d.object)) {
      d.severity = Severity::kKnownSkip;
      d.problem =
          "missing on target (known skip: only a superuser may create it, or it depends "
          "on such an object)";
      ++marked;
    } else if (d.property == "access method" && unsupported.count(d.source_value)) {
      // Its access method was left out: the relation is there, in the
      // target's default one, rows and all.
      d.severity = Severity::kKnownSkip;
      d.problem =
          "changed (known skip: the access method was left out, so the relation was "
          "created in the target's default one)";
      ++marked;
    }
  }
  log::info("verify: {} object(s) missing on the target are known skips (--skip-unsupported)",
            marked);
  return ok_status();
}

}  // namespace pgshuttle::verify
