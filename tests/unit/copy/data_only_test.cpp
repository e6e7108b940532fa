#include "copy/data_only.h"

#include <gtest/gtest.h>

#include "copy/post_data_plan.h"
#include "linked_key_expect.h"

namespace pgshuttle {
namespace {

using copy::SavedForeignKey;

std::vector<SavedForeignKey> keys() {
  return {{"shop", "order_lines", "shop.order_lines", false, "order_lines_order_id_fkey",
           "FOREIGN KEY (order_id) REFERENCES shop.orders(id) ON DELETE CASCADE"},
          {"shop", "Tags", "shop.\"Tags\"", true, "\"tags fk\"",
           "FOREIGN KEY (order_id) REFERENCES shop.orders(id)"}};
}

TEST(DataOnly, SavedKeysSurviveTheStateRoundTrip) {
  auto decoded = copy::decode_foreign_keys(copy::encode_foreign_keys(keys()));
  ASSERT_TRUE(decoded.ok());
  ASSERT_EQ(decoded->size(), 2u);
  EXPECT_EQ((*decoded)[1].qualified, "shop.\"Tags\"");
  EXPECT_TRUE((*decoded)[1].partitioned);
  EXPECT_EQ((*decoded)[0].definition, keys()[0].definition);
  EXPECT_FALSE(copy::decode_foreign_keys("{not json").ok());
  EXPECT_FALSE(copy::decode_foreign_keys("[{\"schema\": \"s\"}]").ok());
}

// A key between loaded tables comes back NOT VALID then validated, as soon as
// both tables are loaded; a partitioned table's key (NOT VALID is refused on
// one before PostgreSQL 18) is added plainly, with the serial items.
TEST(DataOnly, KeysAreReaddedAsAFullCopyAddsThem) {
  auto script = copy::foreign_key_script(keys());
  ASSERT_EQ(script.items.size(), 2u);
  EXPECT_EQ(script.items[0].type, "FK CONSTRAINT");
  EXPECT_EQ(script.items[0].name, "order_lines order_lines_order_id_fkey");
  EXPECT_EQ(script.items[1].sql,
            "ALTER TABLE shop.\"Tags\"\n    ADD CONSTRAINT \"tags fk\" FOREIGN KEY (order_id) "
            "REFERENCES shop.orders(id);\n");
  auto plan =
      copy::plan_post_data(script, {"shop.order_lines", "shop.orders", "shop.\"Tags\""}, {}, {});
  ASSERT_EQ(plan.linked.size(), 1u);
  copy_test::expect_linked_key(plan.linked[0], "shop.order_lines", "shop.orders");
  ASSERT_EQ(plan.serial.size(), 1u);
  EXPECT_EQ(plan.serial[0].sql, script.items[1].sql);
}

}  // namespace
}  // namespace pgshuttle
