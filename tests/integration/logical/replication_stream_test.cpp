// ReplicationStream against the rig's source (wal_level = logical): a slot
// with an exported snapshot that sees exactly what committed before it,
// then inserts, updates (one leaving a TOASTed column unchanged), deletes,
// a truncate and logical messages streamed and decoded in commit order,
// a confirmed flush position the server records, and the slot dropped;
// names that need quoting; what is refused.
#include <gtest/gtest.h>

#include <optional>

#include "logical/replication_stream.h"
#include "pg/connection.h"
#include "stream_rig.h"

namespace pgshuttle::logical {
namespace {

using namespace test;

void create_tables(const std::string& url) {
  psql(url, R"(
    CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL, qty int);
    CREATE TABLE docs (id int NOT NULL, body text, note text);
    ALTER TABLE docs REPLICA IDENTITY FULL;
    -- out of line and uncompressed, so an UPDATE that leaves it alone sends 'u'
    ALTER TABLE docs ALTER COLUMN body SET STORAGE EXTERNAL;
    INSERT INTO items VALUES (1, 'one', 10), (2, 'two', 20);
    INSERT INTO docs VALUES (1, repeat('x', 100000), 'first');
    CREATE PUBLICATION shuttle_pub FOR TABLE items, docs;
  )");
}

// The ids of items a transaction on `snapshot` sees.
std::string items_in_snapshot(const std::string& url, const std::string& snapshot) {
  auto conn = pg::Connection::connect(*pg::ConnInfo::parse(url), pg::Side::kSource);
  if (!conn.ok()) return conn.error().to_string();
  if (auto s = conn->exec("BEGIN ISOLATION LEVEL REPEATABLE READ"); !s.ok()) {
    return s.error().to_string();
  }
  if (auto s = conn->exec("SET TRANSACTION SNAPSHOT " + conn->quote_literal(snapshot)); !s.ok()) {
    return s.error().to_string();
  }
  auto seen = conn->query("SELECT string_agg(id::text, ',' ORDER BY id) FROM items");
  return seen.ok() ? seen->get(0, 0) : seen.error().to_string();
}

// Each change in its own transaction, in this order.
void make_changes(const std::string& url) {
  psql(url, "UPDATE items SET qty = 31 WHERE id = 3");
  psql(url, "UPDATE items SET id = 4 WHERE id = 3");
  psql(url, "UPDATE docs SET note = 'second' WHERE id = 1");
  psql(url, "INSERT INTO docs VALUES (2, 'short', NULL)");
  psql(url, "DELETE FROM items WHERE id = 1");
  psql(url, "SELECT pg_logical_emit_message(false, 'pgshuttle', 'at once')");
  psql(url, "SELECT pg_logical_emit_message(true, 'pgshuttle', 'in a transaction')");
  psql(url, "TRUNCATE items, docs");
}

// What the stream must say about make_changes() (after the insert of 3).
std::vector<std::string> expected_stream(bool with_messages) {
  const std::string body(100000, 'x');
  std::vector<std::string> expected = {
      "Begin",
      "Insert items 3|three|30",
      "Commit",
      "Begin",
      "Update items -  -> 3|three|31",  // key unchanged: no old row
      "Commit",
      "Begin",
      "Update items K 3|<null>|<null> -> 4|three|31",
      "Commit",
      "Begin",
      "Update docs O 1|" + body + "|first -> 1|<unchanged>|second",
      "Commit",
      "Begin",
      "Insert docs 2|short|<null>",
      "Commit",
      "Begin",
      "Delete items K 1|<null>|<null>",
      "Commit",
  };
  if (with_messages) {
    expected.insert(expected.end(), {"Message now pgshuttle at once", "Begin",
                                     "Message tx pgshuttle in a transaction", "Commit"});
  }
  expected.insert(expected.end(), {"Begin", "Truncate docs items", "Commit"});
  return expected;
}

void expect_relations_as_catalog(const std::string& url,
                                 const std::map<uint32_t, Relation>& relations) {
  ASSERT_EQ(relations.size(), 2u);
  for (const auto& [oid, rel] : relations) {
    EXPECT_EQ(std::to_string(oid),
              psql(url, "SELECT '" + rel.schema + "." + rel.name + "'::regclass::oid"));
    ASSERT_EQ(rel.columns.size(), 3u);
    EXPECT_EQ(rel.columns[0].name, "id");
    EXPECT_EQ(rel.columns[0].type_oid, 23u);  // int4
    EXPECT_TRUE(rel.columns[0].key);
    // FULL identity: every column is part of the key; default: only the primary key.
    EXPECT_EQ(rel.columns[1].key, rel.name == "docs") << rel.name;
    EXPECT_EQ(rel.replica_identity, rel.name == "docs" ? 'f' : 'd');
  }
}

// Checks that commit LSNs rise and each Begin announces its Commit's LSN;
// returns the last Commit's end LSN.
Lsn last_commit_end(const std::vector<StreamMessage>& messages) {
  Lsn last_end;
  Lsn announced;
  for (const auto& s : messages) {
    if (auto* b = std::get_if<Begin>(&s.message)) announced = b->final_lsn;
    if (auto* c = std::get_if<Commit>(&s.message)) {
      EXPECT_EQ(c->commit_lsn, announced);
      EXPECT_GT(c->end_lsn, last_end);
      last_end = c->end_lsn;
    }
  }
  return last_end;
}

TEST(LogicalReplication, SnapshotThenDecodedChangesThenConfirmAndDrop) {
  rig::ScratchDatabase db(rig::Server::kSource, "logical");
  const std::string url = db.url();
  create_tables(url);
  const std::string slot = rig::unique_name("shuttle_slot");
  SlotCleanup cleanup{url, slot};
  ReplicationStream stream = open_stream(url);
  // Logical decoding messages and protocol 2 arrived in 14; 13 streams the
  // rest with protocol 1 (and creates the slot with the older syntax).
  const bool with_messages = stream.server_major() >= 14;

  auto id = stream.identify_system();
  ASSERT_TRUE(id.ok()) << id.error().to_string();
  EXPECT_EQ(id->database, db.name());
  EXPECT_EQ(id->system_id, psql(url, "SELECT system_identifier FROM pg_control_system()"));
  auto created = stream.create_slot(slot);
  ASSERT_TRUE(created.ok()) << created.error().to_string();
  EXPECT_EQ(created->name, slot);
  EXPECT_GE(created->consistent_point, id->wal_position);
  EXPECT_TRUE(id->wal_position.valid());
  EXPECT_EQ(slot_value(url, slot, "plugin || ' ' || slot_type"), "pgoutput logical");

  // Committed after the slot: streamed, and not in the exported snapshot.
  psql(url, "INSERT INTO items VALUES (3, 'three', 30)");
  EXPECT_EQ(items_in_snapshot(url, created->snapshot_name), "1,2");
  EXPECT_EQ(psql(url, "SELECT string_agg(id::text, ',' ORDER BY id) FROM items"), "1,2,3");
  make_changes(url);

  StartOptions options;
  options.slot = slot;
  options.start = created->consistent_point;
  options.proto_version = with_messages ? 2 : 1;
  options.publications = {"shuttle_pub"};
  options.messages = with_messages;
  auto started = stream.start(options);
  ASSERT_TRUE(started.ok()) << started.error().to_string();
  std::map<uint32_t, Relation> relations;
  auto messages = read_until(stream, relations, [](const PgOutputMessage& m) {
    return std::holds_alternative<Truncate>(m);
  });
  auto tail = read_until(stream, relations, [](const PgOutputMessage& m) {
    return std::holds_alternative<Commit>(m);
  });
  messages.insert(messages.end(), tail.begin(), tail.end());
  EXPECT_EQ(describe(messages, relations), expected_stream(with_messages));
  expect_relations_as_catalog(url, relations);
  Lsn last_end = last_commit_end(messages);
  ASSERT_GT(last_end, created->consistent_point);

  // Before a confirm the slot is where it was created; after, where we said.
  // Compared as parsed values: PostgreSQL 18 zero-pads the low half when printing.
  EXPECT_EQ(Lsn::parse(slot_value(url, slot, "confirmed_flush_lsn")), created->consistent_point);
  ASSERT_TRUE(stream.confirm(last_end).ok());
  std::optional<Lsn> confirmed;
  for (int i = 0; i < 100 && confirmed != last_end; ++i) {
    auto idle = stream.next(100ms);  // keeps the session serviced while the server catches up
    ASSERT_TRUE(idle.ok()) << idle.error().to_string();
    confirmed = Lsn::parse(slot_value(url, slot, "confirmed_flush_lsn"));
  }
  EXPECT_EQ(confirmed, last_end);

  // A session that streams cannot drop; another one can, once this one is gone.
  EXPECT_FALSE(stream.drop_slot(slot).ok());
  stream = open_stream(url);
  auto dropped = stream.drop_slot(slot, true);
  ASSERT_TRUE(dropped.ok()) << dropped.error().to_string();
  EXPECT_EQ(psql(url, "SELECT count(*) FROM pg_replication_slots WHERE slot_name = '" + slot + "'"),
            "0");
}

TEST(LogicalReplication, PublicationNamesAreQuotedByLibpq) {
  rig::ScratchDatabase db(rig::Server::kSource, "logical_quote");
  const std::string url = db.url();
  // Quotes, a comma (the option is a list), a backslash and upper case.
  const std::string pub = "Odd \"pub\", it's a \\ name";
  psql(url, "CREATE TABLE t (id int PRIMARY KEY)");
  psql(url, "CREATE PUBLICATION " + pg::quote_ident(pub) + " FOR TABLE t");
  // A valid slot name that is no bare identifier: the commands quote it.
  const std::string slot = "0" + rig::unique_name("shuttle_quote");
  SlotCleanup cleanup{url, slot};
  ReplicationStream stream = open_stream(url);
  auto created = stream.create_slot(slot);
  ASSERT_TRUE(created.ok()) << created.error().to_string();
  psql(url, "INSERT INTO t VALUES (7)");

  StartOptions options;
  options.slot = slot;
  options.publications = {pub};
  auto started = stream.start(options);
  ASSERT_TRUE(started.ok()) << started.error().to_string();
  std::map<uint32_t, Relation> relations;
  auto messages = read_until(stream, relations, [](const PgOutputMessage& m) {
    return std::holds_alternative<Commit>(m);
  });
  EXPECT_EQ(describe(messages, relations),
            (std::vector<std::string>{"Begin", "Insert t 7", "Commit"}));
}

// Counts what a streamed (protocol 2) run of messages holds.
TEST(LogicalReplication, BinaryValuesWhenAsked) {
  rig::ScratchDatabase db(rig::Server::kSource, "logical_binary");
  const std::string url = db.url();
  psql(url, "CREATE TABLE t (id int PRIMARY KEY, s text); CREATE PUBLICATION p FOR TABLE t");
  const std::string slot = rig::unique_name("shuttle_binary");
  SlotCleanup cleanup{url, slot};
  ReplicationStream stream = open_stream(url);
  if (stream.server_major() < 14) GTEST_SKIP() << "binary values need PostgreSQL 14";
  ASSERT_TRUE(stream.create_slot(slot).ok());
  psql(url, "INSERT INTO t VALUES (258, 'hi'), (-1, NULL)");

  StartOptions options;
  options.slot = slot;
  options.publications = {"p"};
  options.binary = true;
  auto started = stream.start(options);
  ASSERT_TRUE(started.ok()) << started.error().to_string();
  std::map<uint32_t, Relation> relations;
  auto messages = read_until(stream, relations, [](const PgOutputMessage& m) {
    return std::holds_alternative<Commit>(m);
  });
  std::vector<TupleData> rows;
  for (const auto& m : messages) {
    if (auto* i = std::get_if<Insert>(&m.message)) rows.push_back(i->new_tuple);
  }
  // int4send: four bytes, big-endian; textsend: the bytes themselves.
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0],
            (TupleData{BinaryValue{std::string("\x00\x00\x01\x02", 4)}, BinaryValue{"hi"}}));
  EXPECT_EQ(rows[1], (TupleData{BinaryValue{"\xFF\xFF\xFF\xFF"}, NullValue{}}));
}

TEST(LogicalReplication, AWrongPasswordIsRefusedWithoutShowingIt) {
  rig::ScratchDatabase db(rig::Server::kSource, "logical_auth");
  auto info = pg::ConnInfo::parse(db.url())->with("password", "not-the-Secret-4711");
  auto opened = ReplicationStream::open(info);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().code, ErrorCode::kAuth);
  EXPECT_EQ(opened.error().to_string().find("not-the-Secret-4711"), std::string::npos)
      << opened.error().to_string();
}

TEST(LogicalReplication, RefusesBadSlotNamesAndUnknownPublications) {
  rig::ScratchDatabase db(rig::Server::kSource, "logical_refuse");
  ReplicationStream stream = open_stream(db.url());
  auto bad = stream.create_slot("Bad-Name");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kUsage);
  // No publications: refused before anything reaches the server.
  StartOptions options;
  options.slot = "whatever";
  auto refused = stream.start(options);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kUsage);
  auto next = stream.next(10ms);
  ASSERT_FALSE(next.ok());
  EXPECT_EQ(next.error().code, ErrorCode::kInternal);
}

}  // namespace
}  // namespace pgshuttle::logical
