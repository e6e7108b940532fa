#include "copy/post_data_plan.h"

#include <gtest/gtest.h>

#include "ddl/ddl_script.h"
#include "linked_key_expect.h"

namespace pgshuttle {
namespace {

const char* kPost = R"(--
-- Name: orders orders_pkey; Type: CONSTRAINT; Schema: shop; Owner: -
--

ALTER TABLE ONLY shop.orders
    ADD CONSTRAINT orders_pkey PRIMARY KEY (id);
ALTER TABLE shop.orders CLUSTER ON orders_pkey;

--
-- Name: orders orders_ref_key; Type: CONSTRAINT; Schema: shop; Owner: -
--

ALTER TABLE ONLY shop.orders
    ADD CONSTRAINT orders_ref_key UNIQUE (ref) DEFERRABLE INITIALLY DEFERRED;

--
-- Name: orders orders_excl; Type: CONSTRAINT; Schema: shop; Owner: -
--

ALTER TABLE ONLY shop.orders
    ADD CONSTRAINT orders_excl EXCLUDE USING gist (w WITH &&);

--
-- Name: orders_customer_idx; Type: INDEX; Schema: shop; Owner: -
--

CREATE INDEX orders_customer_idx ON shop.orders USING btree (customer_id);

--
-- Name: orders orders_audit; Type: TRIGGER; Schema: shop; Owner: -
--

CREATE TRIGGER orders_audit AFTER INSERT ON shop.orders FOR EACH ROW EXECUTE FUNCTION shop.f();

--
-- Name: orders orders_customer_fk; Type: FK CONSTRAINT; Schema: shop; Owner: -
--

ALTER TABLE ONLY shop.orders
    ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES shop.customers(id);

--
-- Name: lines lines_old_fk; Type: FK CONSTRAINT; Schema: shop; Owner: -
--

ALTER TABLE ONLY shop.lines
    ADD CONSTRAINT lines_old_fk FOREIGN KEY (o) REFERENCES shop.orders(id) NOT VALID;
)";

copy::UniqueIndexes uniques() {
  copy::UniqueIndexes u;
  u["shop\norders orders_pkey"] = {
      "orders_pkey",
      "shop.orders_pkey",
      "CREATE UNIQUE INDEX orders_pkey ON shop.orders USING btree (id)",
      true,
      false,
      false};
  u["shop\norders orders_ref_key"] = {
      "orders_ref_key",
      "shop.orders_ref_key",
      "CREATE UNIQUE INDEX orders_ref_key ON shop.orders USING btree (ref)",
      false,
      true,
      true};
  return u;
}

TEST(PostDataPlan, BuildsUniqueIndexesThenAttachesThem) {
  auto post = ddl::parse_ddl_script(kPost);
  auto plan = copy::plan_post_data(post, {"shop.orders", "shop.lines"}, uniques(), {});
  const auto& orders = plan.by_table.at("shop.orders");
  // Two unique builds, the exclusion constraint as is, one index: four
  // concurrent builds, in the dump's order (the task pool starts the
  // costliest first: ddl::build_cost).
  ASSERT_EQ(orders.builds.size(), 4u);
  const copy::DdlUnit* gist = nullptr;
  const copy::DdlUnit* pkey = nullptr;
  for (const auto& b : orders.builds) {
    if (b.steps[0].item.sql.find("EXCLUDE USING gist") != std::string::npos) gist = &b;
    if (b.steps[0].key == "post:build:CONSTRAINT shop orders orders_pkey") pkey = &b;
  }
  ASSERT_NE(gist, nullptr);
  ASSERT_NE(pkey, nullptr);
  EXPECT_EQ(pkey->steps[0].item.sql,
            "CREATE UNIQUE INDEX orders_pkey ON shop.orders USING btree (id);\n");
  EXPECT_GT(ddl::build_cost(gist->steps[0].item.sql), ddl::build_cost(pkey->steps[0].item.sql));
  // Finish: two attaches, the trigger, ANALYZE last.
  ASSERT_EQ(orders.finish.steps.size(), 4u);
  EXPECT_EQ(orders.finish.steps[0].item.sql,
            "ALTER TABLE ONLY shop.orders ADD CONSTRAINT orders_pkey PRIMARY KEY USING INDEX "
            "orders_pkey;\nALTER TABLE shop.orders CLUSTER ON orders_pkey;\n");
  EXPECT_EQ(orders.finish.steps[0].key, "post:CONSTRAINT shop orders orders_pkey");
  EXPECT_FALSE(orders.finish.steps[0].done_if.empty());
  EXPECT_EQ(orders.finish.steps[1].item.sql,
            "ALTER TABLE ONLY shop.orders ADD CONSTRAINT orders_ref_key UNIQUE USING INDEX "
            "orders_ref_key DEFERRABLE INITIALLY DEFERRED;\n");
  EXPECT_EQ(orders.finish.steps[2].item.type, "TRIGGER");
  EXPECT_EQ(orders.finish.steps[3].item.sql, "ANALYZE shop.orders;\n");
}

// Issue 14 item 1: names pg_dump quotes (spaces, capitals, keywords, dots,
// doubled quotes) are read whole from its SQL; they used to be cut at the
// first space, and the item fell back to the slow path or was not found.
TEST(PostDataPlan, QuotedNamesWithSpacesAreReadWhole) {
  const std::string table = R"x("Odd Schema"."Big ""T"" (1)")x";
  auto item = [](std::string type, std::string sql) {
    ddl::DdlItem i;
    i.type = std::move(type);
    i.sql = std::move(sql);
    return i;
  };
  EXPECT_EQ(ddl::item_table(
                item("INDEX", "CREATE INDEX \"my idx\" ON " + table + " USING btree (\"a b\");\n")),
            table);
  EXPECT_EQ(ddl::item_table(item("CONSTRAINT", "ALTER TABLE ONLY " + table +
                                                   "\n    ADD CONSTRAINT \"p k\" PRIMARY KEY "
                                                   "(\"a b\");\n")),
            table);
  EXPECT_EQ(ddl::item_table(item("TRIGGER", "CREATE TRIGGER \"on insert\" AFTER INSERT ON " +
                                                table + " FOR EACH ROW EXECUTE FUNCTION f();\n")),
            table);
  EXPECT_EQ(ddl::item_table(item("INDEX", "CREATE INDEX i ON public.\"user\" USING gist (w);\n")),
            "public.\"user\"");

  std::string why;
  copy::UniqueIndex index{"\"p k\"", "", "", true, false, false};
  EXPECT_EQ(
      copy::attach_sql(item("CONSTRAINT", "ALTER TABLE ONLY " + table +
                                              "\n    ADD CONSTRAINT \"p k\" PRIMARY KEY "
                                              "(\"a b\");\n"),
                       index, why),
      "ALTER TABLE ONLY " + table + " ADD CONSTRAINT \"p k\" PRIMARY KEY USING INDEX \"p k\";\n")
      << why;

  std::string t, name, referenced;
  std::string sql = copy::not_valid_sql(
      item("FK CONSTRAINT", "ALTER TABLE ONLY " + table +
                                "\n    ADD CONSTRAINT \"f k\" FOREIGN KEY (\"a b\") REFERENCES "
                                "\"Other One\".\"T\"(id);\n"),
      t, name, referenced);
  EXPECT_NE(sql.find("NOT VALID"), std::string::npos) << sql;
  EXPECT_EQ(t, table);
  EXPECT_EQ(name, "\"f k\"");
  EXPECT_EQ(referenced, "\"Other One\".\"T\"");
}

TEST(PostDataPlan, ForeignKeysNotValidThenValidated) {
  auto post = ddl::parse_ddl_script(kPost);
  // shop.customers is not copied: the key is added with the serial items.
  auto plan = copy::plan_post_data(post, {"shop.orders", "shop.lines"}, uniques(), {});
  EXPECT_TRUE(plan.linked.empty());
  ASSERT_EQ(plan.serial.size(), 2u);
  EXPECT_NE(plan.serial[0].sql.find("REFERENCES shop.customers(id) NOT VALID;"), std::string::npos);
  // A key NOT VALID on the source stays so and is not validated.
  EXPECT_EQ(plan.serial[1].sql, post.items.back().sql);
  ASSERT_EQ(plan.validations.size(), 1u);
  EXPECT_EQ(plan.validations[0].steps[0].item.sql,
            "ALTER TABLE ONLY shop.orders VALIDATE CONSTRAINT orders_customer_fk;\n");
}

TEST(PostDataPlan, DeferredValidationAddsKeysNotValidAndValidatesNone) {
  auto post = ddl::parse_ddl_script(kPost);
  copy::PostDataOptions o;
  o.defer_validation = true;
  auto plan = copy::plan_post_data(post, {"shop.orders", "shop.lines"}, uniques(), o);
  ASSERT_EQ(plan.serial.size(), 2u);
  EXPECT_NE(plan.serial[0].sql.find("NOT VALID;"), std::string::npos);
  EXPECT_TRUE(plan.validations.empty());
}

TEST(PostDataPlan, IndexBuildsTakenForTheLoadLeaveTheOthers) {
  auto post = ddl::parse_ddl_script(kPost);
  auto plan = copy::plan_post_data(post, {"shop.orders", "shop.lines"}, uniques(), {});
  copy::TablePost& orders = plan.by_table["shop.orders"];
  size_t before = orders.builds.size();
  auto taken = copy::take_index_builds(orders, {"orders_customer_idx", "orders_excl"});
  // The exclusion constraint is no plain INDEX unit: it stays.
  ASSERT_EQ(taken.size(), 1u);
  EXPECT_EQ(taken[0].item.name, "orders_customer_idx");
  EXPECT_EQ(orders.builds.size(), before - 1);
}

TEST(PostDataPlan, LeavesOutThePublicationAndItsTables) {
  auto post = ddl::parse_ddl_script(R"(--
-- Name: pgs_s001; Type: PUBLICATION; Schema: -; Owner: -
--

CREATE PUBLICATION pgs_s001 WITH (publish = 'insert, update, delete, truncate');

--
-- Name: pgs_s001 orders; Type: PUBLICATION TABLE; Schema: shop; Owner: -
--

ALTER PUBLICATION pgs_s001 ADD TABLE ONLY shop.orders;

--
-- Name: mine; Type: PUBLICATION; Schema: -; Owner: -
--

CREATE PUBLICATION mine;
)");
  ASSERT_EQ(post.items.size(), 3u);
  copy::leave_out_publications(post, {"pgs_s001"});
  ASSERT_EQ(post.items.size(), 1u);
  EXPECT_EQ(post.items[0].name, "mine");
}

TEST(PostDataPlan, KeysBetweenCopiedTablesWaitForBoth) {
  auto post = ddl::parse_ddl_script(kPost);
  auto plan =
      copy::plan_post_data(post, {"shop.orders", "shop.lines", "shop.customers"}, uniques(), {});
  ASSERT_EQ(plan.linked.size(), 1u);
  copy_test::expect_linked_key(plan.linked[0], "shop.orders", "shop.customers");
  EXPECT_TRUE(plan.validations.empty());
  ASSERT_EQ(plan.serial.size(), 1u);  // the key that stays NOT VALID
}

TEST(PostDataPlan, TablesNotLoadedKeepTheirStatements) {
  auto post = ddl::parse_ddl_script(kPost);
  copy::PostDataOptions no_analyze;
  no_analyze.analyze = false;
  auto plan = copy::plan_post_data(post, {"shop.lines"}, uniques(), no_analyze);
  EXPECT_EQ(plan.by_table.count("shop.orders"), 0u);
  // The key of a table that is not loaded here is added as dumped.
  EXPECT_EQ(plan.validations.size(), 0u);
  EXPECT_EQ(plan.serial.size(), post.items.size());
}

}  // namespace
}  // namespace pgshuttle
