// The set-wise statements of the apply, as text.
#include "sync/apply_sql.h"

#include <gtest/gtest.h>

namespace pgshuttle::sync {
namespace {

TableShape shape() {
  return {"public.\"Order\"",
          {"id", "\"user\"", "body"},
          {"integer", "text", "text"},
          {true, false, false}};
}

TEST(ApplySql, UpsertSetsEveryColumnButTheKey) {
  EXPECT_EQ(upsert_sql(shape(), {{"'1'::integer", "'a'::text", "NULL::text"},
                                 {"'2'::integer", "'b'::text", "'x'::text"}}),
            "INSERT INTO public.\"Order\" AS t (id, \"user\", body) VALUES ('1'::integer, "
            "'a'::text, NULL::text), ('2'::integer, 'b'::text, 'x'::text) ON CONFLICT (id) DO "
            "UPDATE SET \"user\" = EXCLUDED.\"user\", body = EXCLUDED.body");
}

TEST(ApplySql, UpsertOfAKeyOnlyTableDoesNothingOnConflict) {
  TableShape t{"public.k", {"a", "b"}, {"int", "int"}, {true, true}};
  EXPECT_EQ(upsert_sql(t, {{"1", "2"}}),
            "INSERT INTO public.k AS t (a, b) VALUES (1, 2) ON CONFLICT (a, b) DO NOTHING");
}

TEST(ApplySql, UpdateSetsOnlyTheColumnsSent) {
  // body was an unchanged TOASTed value: not sent, not set.
  EXPECT_EQ(update_sql(shape(), {0, 1}, {{"'1'::integer", "'a'::text"}}),
            "UPDATE public.\"Order\" AS t SET \"user\" = v.\"user\" FROM (VALUES ('1'::integer, "
            "'a'::text)) AS v(id, \"user\") WHERE t.id = v.id");
  EXPECT_EQ(update_sql(shape(), {0}, {{"'1'::integer"}}), "");
}

TEST(ApplySql, DeleteMatchesTheKey) {
  EXPECT_EQ(delete_sql(shape(), {{"'1'::integer"}, {"'2'::integer"}}),
            "DELETE FROM public.\"Order\" AS t USING (VALUES ('1'::integer), ('2'::integer)) AS "
            "v(id) WHERE t.id = v.id");
}

TEST(ApplySql, KeyChangeUpdatesTheRowAtItsOldKey) {
  EXPECT_EQ(update_key_sql(shape(), {0, 1}, {"'9'::integer", "'a'::text"}, {"'1'::integer"}),
            "UPDATE public.\"Order\" SET id = '9'::integer, \"user\" = 'a'::text WHERE id = "
            "'1'::integer");
}

}  // namespace
}  // namespace pgshuttle::sync
