#include "target/unsupported_objects.h"

#include "sql/target.h"

namespace pgshuttle::target {

Result<std::set<std::string>> unsupported_objects(pg::Connection& source) {
  PGS_ASSIGN_OR_RETURN(auto seeds, source.query(sql::target::superuser_objects));
  // Two oid[] literals: digits and commas only, no quoting involved.
  std::string classids, objids;
  for (int i = 0; i < seeds.rows(); ++i) {
    if (seeds.get(i, 3) == "0") continue;
    classids += (classids.empty() ? "" : ",") + seeds.get(i, 2);
    objids += (objids.empty() ? "" : ",") + seeds.get(i, 3);
  }
  std::set<std::string> out;
  if (classids.empty()) return out;
  PGS_ASSIGN_OR_RETURN(auto rows, source.query(sql::target::superuser_closure,
                                               {"{" + classids + "}", "{" + objids + "}"}));
  for (int i = 0; i < rows.rows(); ++i) out.insert(rows.get(i, 0));
  return out;
}

}  // namespace pgshuttle::target
