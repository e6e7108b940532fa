// check's view of the target's contents and of the source's objects a
// managed target cannot load: pre-installed extensions are not user objects
// (fidelity case 12), their versions are judged against the source's, and
// every kind of object only a superuser can create is a blocker naming it
// unless the target role is a superuser (fidelity case 13).
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "rig/rig.h"

namespace pgshuttle {
namespace {

using rig::psql;

const nlohmann::json* finding(const nlohmann::json& report, const std::string& code) {
  for (const auto& f : report["findings"]) {
    if (f["code"] == code) return &f;
  }
  return nullptr;
}

nlohmann::json check(const std::string& source_url, const std::string& target_url,
                     int expected_exit) {
  auto r = rig::run_pgshuttle({"check", source_url, target_url, "--json"});
  EXPECT_EQ(r.exit_code, expected_exit) << r.out << r.err;
  auto j = nlohmann::json::parse(r.out, nullptr, false);
  return j.is_discarded() ? nlohmann::json::object() : j;
}

TEST(CheckTarget, PreinstalledExtensionsAreNotUserObjects) {
  rig::ScratchDatabase src(rig::Server::kSource, "chkt_src");
  rig::ScratchDatabase tgt(rig::Server::kTarget, "chkt_tgt");
  psql(src.url(),
       "CREATE EXTENSION tablefunc; CREATE EXTENSION postgis; "
       "CREATE TABLE t (id int PRIMARY KEY, g geometry)");
  psql(tgt.admin_url(),
       "CREATE EXTENSION tablefunc; CREATE EXTENSION postgis; "
       "CREATE EXTENSION pgcrypto");
  auto j = check(src.url(), tgt.url(), 0);
  EXPECT_EQ(finding(j, "target-not-empty"), nullptr) << j.dump(2);
  EXPECT_EQ(j["blockers"], 0) << j.dump(2);

  psql(tgt.url(), "CREATE TABLE mine (id int)");
  auto k = check(src.url(), tgt.url(), 8);
  const auto* f = finding(k, "target-not-empty");
  ASSERT_NE(f, nullptr) << k.dump(2);
  EXPECT_NE((*f)["message"].get<std::string>().find("1 user object(s): relation public.mine"),
            std::string::npos)
      << k.dump(2);
  EXPECT_EQ((*f)["message"].get<std::string>().find("spatial_ref_sys"), std::string::npos);
}

TEST(CheckTarget, PreinstalledOlderExtensionVersionNamesTheUpdate) {
  rig::ScratchDatabase src(rig::Server::kSource, "chkv_src");
  rig::ScratchDatabase tgt(rig::Server::kTarget, "chkv_tgt");
  psql(src.url(), "CREATE EXTENSION hstore VERSION '1.8'");
  psql(tgt.admin_url(), "CREATE EXTENSION hstore VERSION '1.4'");
  auto j = check(src.url(), tgt.url(), 12);
  const auto* f = finding(j, "extension-version");
  ASSERT_NE(f, nullptr) << j.dump(2);
  EXPECT_EQ((*f)["severity"], "warning");
  EXPECT_NE((*f)["message"].get<std::string>().find("ALTER EXTENSION hstore UPDATE TO '1.8'"),
            std::string::npos)
      << j.dump(2);
}

// Fidelity case 13 and the other kinds a non-superuser cannot create.
constexpr const char* kSuperuserOnly = R"sql(
CREATE EXTENSION hstore;
CREATE FUNCTION my_abs(int) RETURNS int LANGUAGE internal IMMUTABLE STRICT AS 'int4abs';
CREATE OPERATOR FAMILY my_fam USING btree;
CREATE OPERATOR CLASS my_ops FOR TYPE int USING hash AS OPERATOR 1 =, FUNCTION 1 hashint4(int);
CREATE TYPE mybase;
CREATE FUNCTION mybase_in(cstring) RETURNS mybase LANGUAGE internal IMMUTABLE STRICT AS 'int4in';
CREATE FUNCTION mybase_out(mybase) RETURNS cstring LANGUAGE internal IMMUTABLE STRICT AS 'int4out';
CREATE TYPE mybase (INPUT = mybase_in, OUTPUT = mybase_out, LIKE = int4);
CREATE AGGREGATE my_avg(numeric) (SFUNC = numeric_avg_accum, STYPE = internal,
                                  FINALFUNC = numeric_avg);
CREATE FOREIGN DATA WRAPPER my_fdw;
CREATE ACCESS METHOD my_am TYPE TABLE HANDLER heap_tableam_handler;
CREATE TEXT SEARCH TEMPLATE my_tmpl (LEXIZE = dsimple_lexize, INIT = dsimple_init);
CREATE CAST (mybase AS int4) WITHOUT FUNCTION;
CREATE FUNCTION my_from(internal) RETURNS internal LANGUAGE internal IMMUTABLE STRICT AS 'int4in';
CREATE TRANSFORM FOR mybase LANGUAGE plpgsql (FROM SQL WITH FUNCTION my_from(internal));
CREATE TABLE t (id int PRIMARY KEY, v int);
INSERT INTO t VALUES (1, -1);
CREATE SCHEMA pubs;
CREATE TABLE pubs.x (i int PRIMARY KEY);
CREATE PUBLICATION pub_all FOR ALL TABLES;
CREATE PUBLICATION pub_schema FOR TABLES IN SCHEMA pubs;
CREATE PUBLICATION pub_listed FOR TABLE t;
CREATE SUBSCRIPTION sub_off CONNECTION 'dbname=nowhere' PUBLICATION pub_all
  WITH (connect = false, slot_name = NONE);
)sql";

TEST(CheckTarget, SuperuserOnlyObjectsBlockANonSuperuserTarget) {
  rig::ScratchDatabase src(rig::Server::kSource, "chks_src");
  rig::ScratchDatabase tgt(rig::Server::kTarget, "chks_tgt");
  psql(src.url(), kSuperuserOnly);
  auto j = check(src.url(), tgt.url(), 8);
  psql(src.url(), "DROP SUBSCRIPTION sub_off");  // a database with one cannot be dropped
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"c-function", "public.my_abs(integer) LANGUAGE internal"},
      {"base-type", "public.mybase"},
      {"internal-aggregate", "public.my_avg(numeric)"},
      {"operator-class", "public.my_ops USING hash"},
      {"operator-family", "public.my_fam USING btree"},
      {"transform", "FOR mybase LANGUAGE plpgsql"},
      {"binary-cast", "(mybase AS integer) WITHOUT FUNCTION"},
      {"text-search-template", "public.my_tmpl"},
      {"foreign-data-wrapper", "my_fdw"},
      {"access-method", "my_am"},
      {"publication", "pub_all (FOR ALL TABLES)"},
      {"subscription", "sub_off"},
  };
  for (const auto& [kind, name] : expected) {
    const auto* f = finding(j, "superuser-only-" + kind);
    ASSERT_NE(f, nullptr) << kind << "\n" << j.dump(2);
    EXPECT_EQ((*f)["severity"], "blocker") << kind;
    EXPECT_NE((*f)["message"].get<std::string>().find(name), std::string::npos) << (*f).dump(2);
    EXPECT_FALSE((*f)["fix"].get<std::string>().empty());
  }
  const auto* pubs = finding(j, "superuser-only-publication");
  ASSERT_NE(pubs, nullptr);
  std::string listed = (*pubs)["message"].get<std::string>();
  EXPECT_NE(listed.find("pub_schema (FOR TABLES IN SCHEMA pubs)"), std::string::npos) << listed;
  EXPECT_EQ(listed.find("pub_listed"), std::string::npos) << "a table list needs no superuser";
  // hstore's own C functions, types and operator classes come with it.
  EXPECT_EQ(j.dump().find("hstore_in"), std::string::npos) << j.dump(2);
  EXPECT_EQ(j.dump().find("gist_hstore_ops"), std::string::npos) << j.dump(2);
  EXPECT_EQ(j["blockers"], static_cast<int>(expected.size())) << j.dump(2);

  // The same source against a superuser target: nothing blocks.
  auto k = check(src.url(), tgt.admin_url(), 0);
  EXPECT_EQ(k["blockers"], 0) << k.dump(2);
  EXPECT_NE(finding(k, "superuser-only-c-function"), nullptr) << k.dump(2);
}

}  // namespace
}  // namespace pgshuttle
