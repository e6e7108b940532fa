// Settings: units, SET syntax, classification and the diff of two servers.
#include <gtest/gtest.h>

#include "settings/settings.h"

namespace pgshuttle::settings {
namespace {

Setting make(const std::string& name, const std::string& value, const std::string& unit = "",
             const std::string& category = "Client Connection Defaults / Locale and Formatting",
             const std::string& context = "user") {
  return {name, value, unit, context, category, "configuration file", "string"};
}

TEST(Settings, ValueWithUnitScalesBlockUnits) {
  EXPECT_EQ(value_with_unit(make("work_mem", "16384", "kB")), "16384kB");
  EXPECT_EQ(value_with_unit(make("shared_buffers", "16384", "8kB")), "131072kB");
  EXPECT_EQ(value_with_unit(make("max_wal_size", "2048", "MB")), "2048MB");
  EXPECT_EQ(value_with_unit(make("effective_cache_size", "-1", "8kB")), "-1");
  EXPECT_EQ(value_with_unit(make("TimeZone", "UTC")), "UTC");
}

TEST(Settings, SetClauseQuotesValuesAndListElements) {
  EXPECT_EQ(set_clause("DateStyle", "ISO, MDY"), "\"DateStyle\" = 'ISO, MDY'");
  EXPECT_EQ(set_clause("search_path", "\"$user\", public"), "\"search_path\" = '$user', 'public'");
  EXPECT_EQ(set_clause("search_path", "\"a,b\", \"x\"\"y\""), "\"search_path\" = 'a,b', 'x\"y'");
  EXPECT_EQ(set_clause("myext.flag", "it's"), "\"myext\".\"flag\" = 'it''s'");
  EXPECT_EQ(set_clause("search_path", ""), "\"search_path\" = ''");
}

TEST(Settings, HostSpecificAndOwnerSettable) {
  EXPECT_TRUE(is_host_specific(make("port", "5432", "",
                                    "Connections and Authentication / "
                                    "Connection Settings",
                                    "postmaster")));
  EXPECT_TRUE(is_host_specific(
      make("shared_buffers", "16384", "8kB", "Resource Usage / Memory", "postmaster")));
  EXPECT_FALSE(is_host_specific(make("work_mem", "4096", "kB", "Resource Usage / Memory")));
  EXPECT_FALSE(is_host_specific(make("TimeZone", "UTC")));
  EXPECT_TRUE(settable_by_owner("user", false));
  EXPECT_FALSE(settable_by_owner("superuser", false));
  EXPECT_TRUE(settable_by_owner("superuser", true));
  EXPECT_FALSE(settable_by_owner("postmaster", true));
}

TEST(Settings, DiffGroupsAndSkipsSessionState) {
  ServerSettings src, tgt;
  src.settings = {make("TimeZone", "UTC"),
                  make("application_name", "a"),
                  make("default_transaction_read_only", "on"),
                  make("port", "5432", "", "Connections and Authentication", "postmaster"),
                  make("work_mem", "16384", "kB", "Resource Usage / Memory"),
                  make("lc_monetary", "C")};
  tgt.settings = {make("TimeZone", "America/New_York"),
                  make("application_name", "b"),
                  make("default_transaction_read_only", "off"),
                  make("port", "5433", "", "Connections and Authentication", "postmaster"),
                  make("work_mem", "8192", "kB", "Resource Usage / Memory"),
                  make("lc_monetary", "C")};
  src.overrides = {{"", false, "TimeZone", "UTC"},
                   {"reporter", false, "work_mem", "64MB"},
                   {"ghost", true, "work_mem", "1MB"}};
  tgt.overrides = {{"reporter", false, "work_mem", "64MB"}};
  tgt.roles = {"reporter", "app"};
  auto d = diff_settings(src, tgt);
  ASSERT_EQ(d.settings.size(), 2u);
  EXPECT_EQ(d.settings[0].name, "TimeZone");
  EXPECT_EQ(d.settings[0].target_value, "America/New_York");
  EXPECT_TRUE(d.settings[0].settable);
  EXPECT_EQ(d.settings[1].name, "work_mem");
  ASSERT_EQ(d.host_specific.size(), 1u);
  EXPECT_EQ(d.host_specific[0].name, "port");
  ASSERT_EQ(d.role_overrides.size(), 1u);
  EXPECT_EQ(d.role_overrides[0].source.role, "ghost");
  EXPECT_TRUE(d.role_overrides[0].role_missing);
  EXPECT_EQ(d.source_database_overrides.size(), 1u);
  EXPECT_FALSE(d.clean());

  // A setting the target role cannot see is not a meaningful difference.
  src.settings.push_back(make("jit_provider", "llvmjit", "", "Preset", "postmaster"));
  src.settings.back().category = "Client Connection Defaults / Shared Library Preloading";
  auto hidden = diff_settings(src, tgt);
  EXPECT_EQ(hidden.settings.size(), 2u);
  EXPECT_EQ(hidden.host_specific.size(), 2u);

  tgt.settings = src.settings;
  tgt.overrides = {{"reporter", false, "work_mem", "64MB"}, {"ghost", true, "work_mem", "1MB"}};
  EXPECT_TRUE(diff_settings(src, tgt).clean());
}

}  // namespace
}  // namespace pgshuttle::settings
