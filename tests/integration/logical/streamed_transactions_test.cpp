// ReplicationStream with transactions the server streams before they end
// (protocol 2, streaming on): every change carries its xid, a rollback is a
// StreamAbort; keepalives that ask for an answer get one, so an idle session
// outlives wal_sender_timeout; and a walsender terminated under a session.
#include <gtest/gtest.h>

#include "logical/replication_stream.h"
#include "stream_rig.h"

namespace pgshuttle::logical {
namespace {

using namespace test;

// What a streamed (protocol 2) run of messages holds.
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
  // The rolled-back one was streamed and then aborted whole. 17 may find it
  // aborted before sending its rows and stream none of them (seen once
  // here), so only older servers must have sent rows.
  if (stream.server_major() < 17) {
    EXPECT_GT(summary.inserts[summary.started[1]], 0);
  }
  ASSERT_EQ(summary.aborted.size(), 1u);
  EXPECT_EQ(summary.aborted[0].first, summary.started[1]);
  EXPECT_EQ(summary.aborted[0].second, summary.started[1]);
  // The small transaction after them is an ordinary one.
  auto lines = describe(messages, relations);
  ASSERT_GE(lines.size(), 3u);
  EXPECT_EQ(std::vector<std::string>(lines.end() - 3, lines.end()),
            (std::vector<std::string>{"Begin", "Insert big 0|end", "Commit"}));
}

TEST(LogicalReplication, KeepalivesAreAnsweredSoAnIdleSessionStays) {
  rig::ScratchDatabase db(rig::Server::kSource, "logical_keepalive");
  const std::string url = db.url();
  psql(url, "CREATE TABLE t (id int PRIMARY KEY); CREATE PUBLICATION p FOR TABLE t");
  const std::string slot = rig::unique_name("shuttle_keepalive");
  SlotCleanup cleanup{url, slot};
  // The walsender asks for an answer after half of this and gives up after all of it.
  auto info = pg::ConnInfo::parse(url)->with("options", "-c wal_sender_timeout=1s");
  auto opened = ReplicationStream::open(info);
  ASSERT_TRUE(opened.ok()) << opened.error().to_string();
  ReplicationStream stream = std::move(*opened);
  auto created = stream.create_slot(slot);
  ASSERT_TRUE(created.ok());
  StartOptions options;
  options.slot = slot;
  options.publications = {"p"};
  ASSERT_TRUE(stream.start(options).ok());

  int asked = 0;
  auto until = std::chrono::steady_clock::now() + 5s;
  while (std::chrono::steady_clock::now() < until) {
    auto event = stream.next(200ms);
    ASSERT_TRUE(event.ok()) << "the session ended while idle: " << event.error().to_string();
    if (auto* k = std::get_if<Keepalive>(&*event); k && k->reply_requested) ++asked;
  }
  EXPECT_GE(asked, 2);
  // Answers never confirm more than the caller did.
  EXPECT_EQ(Lsn::parse(slot_value(url, slot, "confirmed_flush_lsn")), created->consistent_point);
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

}  // namespace
}  // namespace pgshuttle::logical
