// Shared check of the copy unit tests: a foreign key between two loaded
// tables is one linked unit that adds it NOT VALID, then validates it.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "copy/post_data_plan.h"

namespace pgshuttle::copy_test {

inline void expect_linked_key(const copy::LinkedUnit& linked, const std::string& table,
                              const std::string& referenced) {
  EXPECT_EQ(linked.table, table);
  EXPECT_EQ(linked.referenced, referenced);
  ASSERT_EQ(linked.unit.steps.size(), 2u);
  EXPECT_NE(linked.unit.steps[0].item.sql.find("NOT VALID"), std::string::npos);
  EXPECT_NE(linked.unit.steps[1].item.sql.find("VALIDATE CONSTRAINT"), std::string::npos);
}

}  // namespace pgshuttle::copy_test
