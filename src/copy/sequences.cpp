#include "copy/sequences.h"

#include "sql/copy.h"

namespace pgshuttle::copy {

Result<int64_t> copy_sequence_values(pg::Connection& source, pg::Connection& target,
                                     const std::set<std::pair<std::string, std::string>>* wanted) {
  PGS_ASSIGN_OR_RETURN(auto seqs, source.query(sql::copy::sequences));
  int64_t count = 0;
  for (int i = 0; i < seqs.rows(); ++i) {
    if (wanted && !wanted->count({seqs.get(i, 0), seqs.get(i, 1)})) continue;
    std::string q = seqs.get(i, 2);
    PGS_ASSIGN_OR_RETURN(auto v, source.query("SELECT last_value, is_called FROM " + q));
    PGS_TRY(target.query("SELECT pg_catalog.setval($1, $2::bigint, $3::boolean)",
                         {q, v.get(0, 0), v.get(0, 1)}));
    ++count;
  }
  return count;
}

}  // namespace pgshuttle::copy
