// Changes the pgbench load does not make: a key that changes, a table
// identified by a replica identity index, partitions, TRUNCATE, names that
// need quoting, NULLs and a TOASTed value left unchanged next to a changed
// key-less column.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "sync_rig.h"

namespace pgshuttle::sync::test {
namespace {

TEST(SyncShapes, KeyChangesIdentityIndexPartitionsAndTruncateApply) {
  rig::ScratchDatabase src(rig::Server::kSource, "sync_src");
  rig::ScratchDatabase dst(rig::Server::kTarget, "sync_dst");
  rig::psql(src.admin_url(),
            "CREATE TABLE \"Mixed Case\" (\"order\" int PRIMARY KEY, \"select\" text, big text);"
            "ALTER TABLE \"Mixed Case\" ALTER big SET STORAGE EXTERNAL;"
            "INSERT INTO \"Mixed Case\" SELECT g, 's' || g, repeat(md5(g::text), 100) "
            "FROM generate_series(1, 50) g;"
            "CREATE TABLE ident (a int NOT NULL, b text NOT NULL, c int);"
            "CREATE UNIQUE INDEX ident_ab ON ident (a, b);"
            "ALTER TABLE ident REPLICA IDENTITY USING INDEX ident_ab;"
            "INSERT INTO ident SELECT g, 'b' || g, g FROM generate_series(1, 50) g;"
            "CREATE TABLE parts (id int, region text, v int, PRIMARY KEY (id, region)) "
            "PARTITION BY LIST (region);"
            "CREATE TABLE parts_eu PARTITION OF parts FOR VALUES IN ('eu');"
            "CREATE TABLE parts_us PARTITION OF parts FOR VALUES IN ('us');"
            "INSERT INTO parts SELECT g, CASE WHEN g % 2 = 0 THEN 'eu' ELSE 'us' END, g "
            "FROM generate_series(1, 40) g;"
            // Its trigger fired on the source; on the target it must not
            // fire again while changes are applied (another touched value).
            "CREATE TABLE stamped (id int PRIMARY KEY, v int, touched timestamptz);"
            "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "NEW.touched := clock_timestamp(); RETURN NEW; END $$;"
            "CREATE TRIGGER touch BEFORE INSERT OR UPDATE ON stamped FOR EACH ROW EXECUTE "
            "FUNCTION touch();"
            "INSERT INTO stamped SELECT g, g FROM generate_series(1, 20) g;"
            "CREATE TABLE scratch (id int PRIMARY KEY, v text);"
            "INSERT INTO scratch SELECT g, 'x' FROM generate_series(1, 30) g;");
  std::string dir = "/tmp/" + rig::unique_name("sync_state");
  auto sync = start_sync(dir, src.url(), dst.url());
  ASSERT_TRUE(wait_streaming(dst.admin_url(), sync)) << sync.stderr_text();
  rig::psql(src.admin_url(),
            // Keys that change, one row at a time and many in one statement.
            "UPDATE \"Mixed Case\" SET \"order\" = \"order\" + 1000 WHERE \"order\" <= 10;"
            "UPDATE \"Mixed Case\" SET \"select\" = NULL WHERE \"order\" BETWEEN 11 AND 20;"
            "UPDATE ident SET b = b || '!' WHERE a <= 5;"
            "UPDATE ident SET c = NULL WHERE a BETWEEN 6 AND 10;"
            "DELETE FROM ident WHERE a > 45;"
            // A row moving between partitions is a delete and an insert.
            "UPDATE parts SET region = 'eu' WHERE id = 1;"
            "UPDATE parts SET v = v * 10 WHERE id > 30;"
            "DELETE FROM parts WHERE id BETWEEN 20 AND 25;"
            "UPDATE stamped SET v = v + 1 WHERE id <= 10;"
            "INSERT INTO stamped VALUES (21, 21);"
            "TRUNCATE scratch;"
            "INSERT INTO scratch VALUES (1, 'after truncate');");
  std::this_thread::sleep_for(2s);
  auto cut = cutover(dir, "s001");
  ASSERT_EQ(cut.exit_code, 0) << cut.out << cut.err << sync.stderr_text();
  auto status = sync.wait();
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(*status, 0) << sync.stderr_text();
  std::vector<std::string> tables = {"\"Mixed Case\"", "ident",   "parts_eu",
                                     "parts_us",       "scratch", "stamped"};
  EXPECT_EQ(digest(src.admin_url(), tables), digest(dst.admin_url(), tables));
  EXPECT_EQ(rig::psql(dst.admin_url(), "SELECT count(*) FROM scratch"), "1");
  // The target's trigger is on again after the cutover.
  EXPECT_EQ(rig::psql(dst.admin_url(), "SELECT tgenabled FROM pg_trigger WHERE tgname = 'touch'"),
            "O");
  EXPECT_EQ(rig::psql(dst.admin_url(),
                      "SELECT count(*) FROM \"Mixed Case\" WHERE \"order\" > 1000 AND "
                      "length(big) = 3200"),
            "10");
}

}  // namespace
}  // namespace pgshuttle::sync::test
