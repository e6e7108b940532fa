#include "restore/toc_list.h"

#include <gtest/gtest.h>

namespace pgshuttle::restore {
namespace {

// Lines as pg_restore 15 -l prints them.
constexpr const char* kList =
    ";\n; Archive created at 2026-11-24 09:02:00 UTC\n;\n"
    "2; 3079 16514 EXTENSION - citext \n"
    "3760; 0 0 COMMENT - EXTENSION citext \n"
    "4; 3079 16600 EXTENSION - aiven_extras \n"
    "5; 2615 16700 SCHEMA - heroku_ext postgres\n"
    "6; 1255 16701 FUNCTION heroku_ext f() postgres\n"
    "3738; 0 16767 TABLE DATA audit log postgres\n"
    "3771; 3466 16800 EVENT TRIGGER - evt_ddl postgres\n"
    "3772; 0 0 COMMENT - EVENT TRIGGER evt_ddl postgres\n"
    "3780; 2606 16900 FK CONSTRAINT shop orders orders_customer_fk postgres\n";

TEST(TocList, ParsesDescriptionsSchemasAndNames) {
  auto toc = TocList::parse(kList);
  const auto& e = toc.entries();
  ASSERT_EQ(e.size(), 12u);
  EXPECT_EQ(e[0].desc, "");  // comment line
  EXPECT_EQ(e[3].desc, "EXTENSION");
  EXPECT_EQ(e[3].name, "citext");
  EXPECT_EQ(e[4].desc, "COMMENT");
  EXPECT_EQ(e[4].name, "EXTENSION citext");
  EXPECT_EQ(e[8].desc, "TABLE DATA");
  EXPECT_EQ(e[8].schema, "audit");
  EXPECT_EQ(e[8].name, "log");
  EXPECT_EQ(e[9].desc, "EVENT TRIGGER");
  EXPECT_EQ(e[11].desc, "FK CONSTRAINT");
  EXPECT_EQ(e[11].name, "orders orders_customer_fk");
  EXPECT_EQ(toc.table_data_count(), 1u);
  EXPECT_EQ(toc.extensions(), (std::vector<std::string>{"citext", "aiven_extras"}));
}

TEST(TocList, SkipsEventTriggersAndProviderObjectsWithOneWarningEach) {
  auto toc = TocList::parse(kList);
  auto warnings = toc.skip_managed_unsafe();
  ASSERT_EQ(warnings.size(), 5u);
  EXPECT_NE(warnings[0].find("aiven_extras"), std::string::npos);
  EXPECT_NE(warnings[1].find("heroku_ext"), std::string::npos);
  EXPECT_NE(warnings[2].find("heroku_ext.f()"), std::string::npos);
  EXPECT_NE(warnings[3].find("event triggers need a superuser"), std::string::npos);
  EXPECT_EQ(toc.extensions(), (std::vector<std::string>{"citext"}));
  std::string list = toc.render();
  EXPECT_NE(list.find("\n;3771; 3466 16800 EVENT TRIGGER"), std::string::npos);
  EXPECT_NE(list.find("\n;4; 3079 16600 EXTENSION - aiven_extras"), std::string::npos);
  EXPECT_NE(list.find("\n2; 3079 16514 EXTENSION - citext \n"), std::string::npos);
  EXPECT_NE(list.find("\n3738; 0 16767 TABLE DATA audit log postgres\n"), std::string::npos);
}

}  // namespace
}  // namespace pgshuttle::restore
