// ReplicationStream against the rig's source (wal_level = logical): a slot
// with an exported snapshot that sees exactly what committed before it,
// then inserts, updates (one leaving a TOASTed column unchanged), deletes,
// a truncate and logical messages streamed and decoded in commit order,
// a confirmed flush position the server records, and the slot dropped.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <thread>

#include "logical/replication_stream.h"
#include "pg/connection.h"
#include "rig/rig.h"

namespace pgshuttle::logical {
namespace {

using namespace std::chrono_literals;
using rig::psql;

// Drops the slot if a test ends early (DROP DATABASE refuses a database
// that still has a logical slot). Declare it after the database and before
// the stream, so it runs after the stream closed and before the drop.
struct SlotCleanup {
  std::string url, slot;
  ~SlotCleanup() {
    // The walsender of a stream just closed may still hold the slot a moment.
    for (int i = 0; i < 50; ++i) {
      try {
        psql(url,
             "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots "
             "WHERE slot_name = '" +
                 slot + "'");
        return;
      } catch (...) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
    }
  }
};

ReplicationStream open_stream(const std::string& url) {
  auto info = pg::ConnInfo::parse(url);
  EXPECT_TRUE(info.ok());
  auto stream = ReplicationStream::open(*info);
  if (!stream.ok()) throw std::runtime_error(stream.error().to_string());
  return std::move(*stream);
}

// Reads messages until `done` says so or 30 s pass; Relation messages go to
// `relations`, Begin+Commit pairs with nothing between them (a transaction
// that changed nothing published, as 13 and 14 still send) are left out.
std::vector<StreamMessage> read_until(ReplicationStream& stream,
                                      std::map<uint32_t, Relation>& relations,
                                      const std::function<bool(const PgOutputMessage&)>& done) {
  std::vector<StreamMessage> out;
  auto deadline = std::chrono::steady_clock::now() + 30s;
  while (std::chrono::steady_clock::now() < deadline) {
    auto event = stream.next(500ms);
    if (!event.ok()) throw std::runtime_error(event.error().to_string());
    auto* m = std::get_if<StreamMessage>(&*event);
    if (!m) continue;
    if (auto* r = std::get_if<Relation>(&m->message)) {
      relations[r->relation_id] = *r;
      continue;
    }
    if (std::holds_alternative<Commit>(m->message) && !out.empty() &&
        std::holds_alternative<Begin>(out.back().message)) {
      out.pop_back();
      continue;
    }
    out.push_back(*m);
    if (done(m->message)) return out;
  }
  ADD_FAILURE() << "timed out after " << out.size() << " messages";
  return out;
}

std::string text_of(const ColumnValue& v) {
  if (auto* t = std::get_if<TextValue>(&v)) return t->text;
  if (std::holds_alternative<NullValue>(v)) return "<null>";
  if (std::holds_alternative<UnchangedToast>(v)) return "<unchanged>";
  return "<binary>";
}

std::string row(const TupleData& t) {
  std::string out;
  for (const auto& v : t) out += (out.empty() ? "" : "|") + text_of(v);
  return out;
}

// The stream, one line per message, relation ids replaced by names.
std::vector<std::string> describe(const std::vector<StreamMessage>& messages,
                                  const std::map<uint32_t, Relation>& relations) {
  auto name = [&](uint32_t id) {
    auto it = relations.find(id);
    return it == relations.end() ? "?" + std::to_string(id) : it->second.name;
  };
  auto old_kind = [](OldRow k) {
    return k == OldRow::kKey ? "K" : k == OldRow::kTuple ? "O" : "-";
  };
  std::vector<std::string> out;
  for (const auto& s : messages) {
    const auto& m = s.message;
    std::string line(message_kind(m));
    if (auto* i = std::get_if<Insert>(&m))
      line += " " + name(i->relation_id) + " " + row(i->new_tuple);
    if (auto* u = std::get_if<Update>(&m)) {
      line += " " + name(u->relation_id) + " " + old_kind(u->old_kind) + " " + row(u->old_tuple) +
              " -> " + row(u->new_tuple);
    }
    if (auto* d = std::get_if<Delete>(&m)) {
      line += " " + name(d->relation_id) + " " + old_kind(d->old_kind) + " " + row(d->old_tuple);
    }
    if (auto* t = std::get_if<Truncate>(&m)) {
      std::vector<std::string> names;
      for (uint32_t id : t->relation_ids) names.push_back(name(id));
      std::sort(names.begin(), names.end());
      for (const auto& n : names) line += " " + n;
    }
    if (auto* g = std::get_if<Message>(&m)) {
      line += std::string(g->transactional ? " tx " : " now ") + g->prefix + " " + g->content;
    }
    out.push_back(line);
  }
  return out;
}

std::string slot_value(const std::string& url, const std::string& slot, const std::string& col) {
  return psql(url, "SELECT " + col + " FROM pg_replication_slots WHERE slot_name = '" + slot + "'");
}

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
struct StreamedSummary {
  std::vector<uint32_t> started;    // StreamStart xids, in order, first segments only
  std::map<uint32_t, int> inserts;  // per xid
  int inserts_without_xid_in_block = 0;
  std::vector<uint32_t> committed;
  std::vector<std::pair<uint32_t, uint32_t>> aborted;
};

StreamedSummary summarize(const std::vector<StreamMessage>& messages) {
  StreamedSummary out;
  bool in_block = false;
  for (const auto& s : messages) {
    const auto& m = s.message;
    if (auto* st = std::get_if<StreamStart>(&m)) {
      in_block = true;
      if (st->first_segment) out.started.push_back(st->xid);
    }
    if (std::holds_alternative<StreamStop>(m)) in_block = false;
    if (auto* i = std::get_if<Insert>(&m); i && in_block) {
      if (i->xid) {
        ++out.inserts[*i->xid];
      } else {
        ++out.inserts_without_xid_in_block;
      }
    }
    if (auto* c = std::get_if<StreamCommit>(&m)) out.committed.push_back(c->xid);
    if (auto* a = std::get_if<StreamAbort>(&m)) out.aborted.emplace_back(a->xid, a->subxid);
  }
  return out;
}

TEST(LogicalReplication, LargeTransactionsStreamWithTheirXid) {
  rig::ScratchDatabase db(rig::Server::kSource, "logical_streamed");
  const std::string url = db.url();
  psql(url,
       "CREATE TABLE big (id int PRIMARY KEY, pad text); CREATE PUBLICATION big_pub FOR "
       "TABLE big");
  const std::string slot = rig::unique_name("shuttle_streamed");
  SlotCleanup cleanup{url, slot};
  // The walsender's own session decides when to stream: the smallest budget.
  auto info = pg::ConnInfo::parse(url)->with("options", "-c logical_decoding_work_mem=64kB");
  auto opened = ReplicationStream::open(info);
  ASSERT_TRUE(opened.ok()) << opened.error().to_string();
  ReplicationStream stream = std::move(*opened);
  if (stream.server_major() < 14) GTEST_SKIP() << "streaming needs PostgreSQL 14";
  ASSERT_TRUE(stream.create_slot(slot).ok());

  psql(url, "INSERT INTO big SELECT g, repeat('p', 200) FROM generate_series(1, 5000) g");
  const std::string committed_xid = psql(url, "SELECT xmin FROM big WHERE id = 1");
  psql(url, "BEGIN; INSERT INTO big SELECT g, 'q' FROM generate_series(10001, 15000) g; ROLLBACK");
  psql(url, "INSERT INTO big VALUES (0, 'end')");

  StartOptions options;
  options.slot = slot;
  options.proto_version = 2;
  options.streaming = true;
  options.publications = {"big_pub"};
  ASSERT_TRUE(stream.start(options).ok());
  std::map<uint32_t, Relation> relations;
  auto messages = read_until(stream, relations, [](const PgOutputMessage& m) {
    return std::holds_alternative<Commit>(m);
  });
  auto summary = summarize(messages);
  ASSERT_EQ(summary.started.size(), 2u);
  EXPECT_EQ(std::to_string(summary.started[0]), committed_xid);
  EXPECT_EQ(summary.inserts[summary.started[0]], 5000);
  EXPECT_EQ(summary.inserts_without_xid_in_block, 0);
  EXPECT_EQ(summary.committed, std::vector<uint32_t>{summary.started[0]});
  // The rolled-back one was streamed (so the server sent its rows) and then aborted whole.
  EXPECT_GT(summary.inserts[summary.started[1]], 0);
  ASSERT_EQ(summary.aborted.size(), 1u);
  EXPECT_EQ(summary.aborted[0].first, summary.started[1]);
  EXPECT_EQ(summary.aborted[0].second, summary.started[1]);
  // The small transaction after them is an ordinary one.
  auto lines = describe(messages, relations);
  ASSERT_GE(lines.size(), 3u);
  EXPECT_EQ(std::vector<std::string>(lines.end() - 3, lines.end()),
            (std::vector<std::string>{"Begin", "Insert big 0|end", "Commit"}));
}

TEST(LogicalReplication, ATerminatedSessionEndsNextWithATransientError) {
  rig::ScratchDatabase db(rig::Server::kSource, "logical_terminated");
  const std::string url = db.url();
  psql(url, "CREATE TABLE t (id int PRIMARY KEY); CREATE PUBLICATION p FOR TABLE t");
  const std::string slot = rig::unique_name("shuttle_terminated");
  SlotCleanup cleanup{url, slot};
  ReplicationStream stream = open_stream(url);
  ASSERT_TRUE(stream.create_slot(slot).ok());
  StartOptions options;
  options.slot = slot;
  options.publications = {"p"};
  ASSERT_TRUE(stream.start(options).ok());
  ASSERT_TRUE(stream.next(200ms).ok());  // streaming, nothing to say yet

  EXPECT_EQ(psql(url,
                 "SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots "
                 "WHERE slot_name = '" +
                     slot + "'"),
            "t");
  Result<StreamEvent> event = StreamEvent(StreamTimeout{});
  for (int i = 0; i < 50 && event.ok(); ++i) event = stream.next(100ms);
  ASSERT_FALSE(event.ok()) << "next() kept returning after the walsender was terminated";
  EXPECT_EQ(event.error().code, ErrorCode::kSource);
  // What exec/retry.h counts as transient: the session lost, or 57P01.
  EXPECT_TRUE(event.error().connection_lost || event.error().sqlstate == "57P01")
      << event.error().to_string();
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
