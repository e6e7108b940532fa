// ddl::build_cost, the one "slow index" rule restore and copy schedule by:
// builds that insert tuple by tuple outrank GIN, which outranks sorted builds.
#include <gtest/gtest.h>

#include "ddl/ddl_script.h"

namespace pgshuttle::ddl {
namespace {

TEST(BuildCost, InsertionBuildsOutrankGinWhichOutranksSortedBuilds) {
  int gist = build_cost("CREATE INDEX a ON s.t USING gist (r);");
  int spgist = build_cost("CREATE INDEX a ON s.t USING spgist (p);");
  int exclusion =
      build_cost("ALTER TABLE ONLY s.t ADD CONSTRAINT x EXCLUDE USING gist (r WITH &&);");
  int gin = build_cost("CREATE INDEX a ON s.t USING gin (doc);");
  int btree = build_cost("CREATE UNIQUE INDEX a ON s.t USING btree (id);");
  int brin = build_cost("CREATE INDEX a ON s.t USING brin (at);");
  EXPECT_EQ(gist, spgist);
  EXPECT_EQ(gist, exclusion);
  EXPECT_GT(gist, gin);
  EXPECT_GT(gin, btree);
  EXPECT_EQ(btree, brin);
  EXPECT_EQ(btree, 1);
}

}  // namespace
}  // namespace pgshuttle::ddl
