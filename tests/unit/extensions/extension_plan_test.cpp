// make_plan: the decision for each extension, from catalog rows written out here.
#include <gtest/gtest.h>

#include "extensions/extension_plan.h"

namespace pgshuttle::extensions {
namespace {

TargetOffer offer_with(bool superuser) {
  TargetOffer o;
  o.role_is_superuser = superuser;
  o.role_can_create_in_database = true;
  o.extensions["hstore"] = {"hstore", "1.8", "", {"1.7", "1.8"}, {"1.7", "1.8"}};
  o.extensions["citext"] = {"citext", "1.6", "1.6", {"1.6"}, {"1.6"}};
  o.extensions["file_fdw"] = {"file_fdw", "1.0", "", {"1.0"}, {}};
  if (superuser) o.extensions["file_fdw"].creatable_versions = {"1.0"};
  o.extensions["plpgsql"] = {"plpgsql", "1.0", "1.0", {"1.0"}, {"1.0"}};
  return o;
}

const ExtensionPlanItem& item(const ExtensionPlan& p, const std::string& name) {
  for (const auto& i : p.items) {
    if (i.name == name) return i;
  }
  throw std::runtime_error("no item " + name);
}

TEST(ExtensionPlan, SameVersionIsCreatedAndOtherVersionIsNamed) {
  auto p =
      make_plan({{"hstore", "1.7", "public"}, {"citext", "1.6", "public"}}, {}, offer_with(false));
  EXPECT_EQ(item(p, "hstore").action, ExtensionAction::kCreate);
  EXPECT_EQ(item(p, "hstore").create_version, "1.7");
  EXPECT_EQ(item(p, "citext").action, ExtensionAction::kPresent);
  EXPECT_EQ(p.to_create().size(), 1u);
  EXPECT_EQ(p.target_only, std::vector<std::string>{"plpgsql"});

  auto q = make_plan({{"hstore", "1.5", "public"}}, {}, offer_with(false));
  EXPECT_EQ(item(q, "hstore").action, ExtensionAction::kCreateOtherVersion);
  EXPECT_EQ(item(q, "hstore").create_version, "1.8");
  EXPECT_NE(item(q, "hstore").detail.find("1.7, 1.8"), std::string::npos);
}

TEST(ExtensionPlan, UntrustedAndUnknownBlockForNonSuperuser) {
  auto p = make_plan({{"file_fdw", "1.0", "public"}, {"postgis", "3.4.0", "public"}}, {},
                     offer_with(false));
  EXPECT_EQ(item(p, "file_fdw").action, ExtensionAction::kNotPermitted);
  EXPECT_EQ(item(p, "postgis").action, ExtensionAction::kNotAvailable);
  EXPECT_EQ(p.blocking().size(), 2u);
  auto err = blocking_error(p);
  ASSERT_FALSE(err.ok());
  EXPECT_EQ(err.error().code, ErrorCode::kMissingExtension);
  EXPECT_NE(err.error().message.find("postgis"), std::string::npos);

  auto su = make_plan({{"file_fdw", "1.0", "public"}}, {}, offer_with(true));
  EXPECT_EQ(item(su, "file_fdw").action, ExtensionAction::kCreate);
  EXPECT_TRUE(blocking_error(su).ok());
}

TEST(ExtensionPlan, ExtraNamesAndInstalledOtherVersion) {
  auto o = offer_with(false);
  o.extensions["hstore"].installed_version = "1.8";
  auto p = make_plan({{"hstore", "1.7", "public"}}, {"citext", "hstore", "isn"}, o);
  ASSERT_EQ(p.items.size(), 3u);
  EXPECT_EQ(item(p, "hstore").action, ExtensionAction::kPresentOtherVersion);
  EXPECT_EQ(item(p, "citext").action, ExtensionAction::kPresent);
  EXPECT_EQ(item(p, "isn").action, ExtensionAction::kNotAvailable);
}

TEST(ExtensionPlan, InstalledVersionIsJudgedAgainstTheSources) {
  EXPECT_EQ(compare_versions("3.3.2", "3.4"), -1);
  EXPECT_EQ(compare_versions("1.10", "1.9"), 1);
  EXPECT_EQ(compare_versions("1.3", "1.3.0"), 0);
  EXPECT_EQ(compare_versions("1.3beta", "1.3"), std::nullopt);
  ExtensionPlanItem i{"pgcrypto", "public", "1.3", "1.2", "", ExtensionAction::kPresentOtherVersion,
                      ""};
  judge_installed_version(i, true, false);  // older, with an update path
  EXPECT_EQ(i.action, ExtensionAction::kPresentOtherVersion);
  EXPECT_NE(i.detail.find("ALTER EXTENSION pgcrypto UPDATE TO '1.3'"), std::string::npos);
  judge_installed_version(i, false, false);  // older, no way to the source's version
  EXPECT_EQ(i.action, ExtensionAction::kPresentIncompatible);
  EXPECT_TRUE(is_blocking(i.action));
  EXPECT_NE(i.detail.find("no update from 1.2 to 1.3"), std::string::npos) << i.detail;
  i.target_version = "1.4";  // newer, even when the target does not know 1.3
  judge_installed_version(i, false, false);
  EXPECT_EQ(i.action, ExtensionAction::kPresentOtherVersion);
  i.target_version = "unpackaged";
  judge_installed_version(i, false, true);
  EXPECT_EQ(i.action, ExtensionAction::kPresentOtherVersion);
}

TEST(ExtensionPlan, CreateStatementQuotesNamesAndVersion) {
  ExtensionPlanItem i{"uuid-ossp", "my schema", "1.1", "", "1.1", ExtensionAction::kCreate, ""};
  EXPECT_EQ(create_statement(i),
            "CREATE EXTENSION IF NOT EXISTS \"uuid-ossp\" WITH SCHEMA \"my schema\" VERSION "
            "'1.1' CASCADE");
  i.schema = "pg_catalog";
  i.create_version.clear();
  EXPECT_EQ(create_statement(i), "CREATE EXTENSION IF NOT EXISTS \"uuid-ossp\" CASCADE");
}

}  // namespace
}  // namespace pgshuttle::extensions
