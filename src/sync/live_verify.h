// LiveVerify: the verify of a sync's rows that runs while it streams, so
// that at cutover only what changed since is compared, inside the downtime.
//
// Each synced table is cut into key-range chunks (verify/table_plan.h). A
// background thread compares chunk checksums on both sides: the target's in
// one snapshot with the commit position it has applied (A, read from
// pgshuttle.sync_state in the same transaction), the source's just after.
// The stream records, per chunk, the key of every row a transaction changes
// (old and new key of an update) with that transaction's commit position.
// A chunk whose checksums matched at A holds the same rows on both sides
// except, at most, those changed by a transaction committed after A: only
// the applier writes the target, and it applies nothing committed after A
// before the stream has recorded it; any change of the source's after A was
// streamed and recorded too. So the keys recorded after A are all that
// needs comparing again; the background compares them row by row (again at
// a target position A2, dropping those that match and were not changed
// after A2), and a chunk with no key left is clean. This needs no order
// between the two threads: the rule is about positions, not moments.
// Checksums or rows that differ (the source moved on, or the target
// differs) are compared again later, or at cutover.
//
// A change without a usable key (a truncate; a replica identity that is not
// the primary key; more than kMaxKeys keys pending in one chunk) asks for
// the whole chunk to match again at a position after it.
//
// At cutover (source fenced, target drained to the fence's position) the
// chunks that must match whole are compared by the verify's own data
// comparison (verify/data_compare.h), bisected down to rows, and the keys
// pending elsewhere row by row: exact, as both sides are still. A new
// process (a resumed sync) starts with nothing compared.
//
// What it assumes: nothing but the sync writes the synced tables of the
// target while it runs (the sync's own triggers are off). A clean chunk is
// compared whole again every minute, so such a write is usually caught.
//
// Chunk of a key: a single integer (smallint, integer, bigint) or uuid
// primary key maps a row to its chunk; a table with another key is one
// chunk (its keys are still recorded and compared row by row).
//
// Thread safety: relation(), touched*() and counts() from the stream's
// thread while the checking thread runs; the rest from one thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/result.h"
#include "logical/lsn.h"
#include "logical/pgoutput.h"
#include "pg/connection.h"
#include "pg/conninfo.h"
#include "verify/table_plan.h"
#include "verify/verify.h"

namespace pgshuttle::sync {

struct LiveVerifyOptions {
  pg::ConnInfo source;
  pg::ConnInfo target;
  std::string encoding;     // the source database's, on both ends
  std::string sync_id;      // its row of pgshuttle.sync_state on the target
  std::string publication;  // the synced tables
  int64_t chunk_rows = 100000;
  int jobs = 2;  // of the comparison at cutover
};

struct LiveVerifyCounts {
  int tables = 0;
  int chunks = 0;
  int clean = 0;             // matched, and no row changed since
  int64_t pending_rows = 0;  // changed rows not yet seen matching
  int never_compared = 0;    // chunks not compared yet
};

// The comparison at cutover.
struct CutoverVerify {
  int chunks = 0;
  int compared = 0;          // chunks compared whole at cutover
  int64_t rows = 0;          // source rows in them
  int64_t changed_rows = 0;  // rows compared one by one at cutover
  double seconds = 0;
  std::vector<verify::Difference> differences;
  // Tables left out, with why: row-level security hides rows from a side.
  std::vector<std::string> not_compared;
};

class LiveVerify {
 public:
  // Plans the publication's tables on the source.
  static Result<std::unique_ptr<LiveVerify>> open(const LiveVerifyOptions& options);
  ~LiveVerify();
  LiveVerify(const LiveVerify&) = delete;
  LiveVerify& operator=(const LiveVerify&) = delete;

  // Starts comparing chunks in the background (a failure there is logged
  // and ends the background work: the cutover then compares more).
  void start();
  void stop();

  // From the stream, before the changes of the relation are passed on.
  void relation(const logical::Relation& r);
  void touched(uint32_t relation, const logical::TupleData& tuple, logical::Lsn commit);
  void touched_all(uint32_t relation, logical::Lsn commit);

  LiveVerifyCounts counts() const;

  // Stops the background work and compares every chunk that is not clean.
  // The source must be fenced and the target drained.
  Result<CutoverVerify> check_at_cutover();

 private:
  struct Chunk {
    verify::KeyRange range;
    bool compared = false;  // compared whole at least once
    bool matched = false;   // at its last whole comparison
    logical::Lsn verified;  // the target position of that match
    // A change no key records, at this position: the chunk must match
    // whole at a later one.
    logical::Lsn whole_after;
    // Rows changed since, not yet seen matching: key -> last commit.
    std::map<verify::KeyValue, logical::Lsn> keys;
    verify::KeyValue cursor;  // the last key of the last batch compared
    std::chrono::steady_clock::time_point last_compare;
    std::chrono::steady_clock::time_point last_rows_compare;
  };
  enum class KeyKind { kWhole, kInteger, kUuid };
  struct Table {
    verify::TablePlan plan;
    KeyKind kind = KeyKind::kWhole;
    std::vector<int64_t> int_bounds;       // chunk i ends before bound i (kInteger)
    std::vector<std::string> text_bounds;  // the same (kUuid)
    std::vector<Chunk> chunks;
  };
  enum class Work { kNone, kWhole, kRows };
  struct RelationMap {
    int table = -1;         // index into tables_, -1 for a table not planned
    std::vector<int> keys;  // tuple positions of the primary key; empty: not usable
  };

  explicit LiveVerify(LiveVerifyOptions options) : o_(std::move(options)) {}
  int chunk_of(const Table& t, const std::string& key) const;
  static bool whole_due(const Chunk& c) { return !c.matched || c.whole_after > c.verified; }
  static bool clean(const Chunk& c) { return !whole_due(c) && c.keys.empty(); }
  void mark(Table& t, int chunk, const verify::KeyValue* key, logical::Lsn commit);
  // The next chunk to compare in the background, and how.
  Work next_due(int& table, int& chunk);
  void background();
  Status compare_in_background();
  Status compare_whole(pg::Connection& source, pg::Connection& target, int ti, int ci);
  Status compare_rows(pg::Connection& source, pg::Connection& target, int ti, int ci);

  LiveVerifyOptions o_;
  std::vector<Table> tables_;
  std::vector<std::string> not_compared_;
  mutable std::mutex mu_;
  std::map<uint32_t, RelationMap> relations_;
  logical::Lsn applied_;  // the target's position at the last look
  bool stopped_ = false;  // the background ended on an error
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace pgshuttle::sync
