// LiveVerify: the verify of a sync's rows that runs while it streams, so
// that at cutover only what changed since is compared, inside the downtime.
//
// Each synced table is cut into key-range chunks (verify/table_plan.h). A
// background thread compares chunk checksums on both sides: the target's in
// one snapshot with the commit position it has applied (A, read from
// pgshuttle.sync_state in the same transaction), the source's just after.
// The stream marks a chunk with the commit position of every transaction
// that changes a row in it (old and new key of an update; every chunk of a
// truncated table). A chunk is clean when its checksums matched at A and no
// transaction committed after A touched it since: then the target's rows
// of the chunk are those it had at A (only the applier writes there, and
// it applies nothing of the chunk after A), and so are the source's (any
// change after A would have been streamed and marked). This needs no order
// between the two threads: the rule is about positions, not moments. A
// checksum that differs (the source moved on, or the target differs) just
// leaves the chunk to be compared again later, or at cutover.
//
// At cutover (source fenced, target drained to the fence's position) every
// chunk that is not clean is compared by the verify's own data comparison
// (verify/data_compare.h), bisected down to rows: exact, as both sides are
// still. A new process (a resumed sync) starts with no clean chunk.
//
// What it assumes: nothing but the sync writes the synced tables of the
// target while it runs (the sync's own triggers are off). `migrate
// --online` runs a full verify after the cutover as well.
//
// Keys mapped to chunks: a single integer (smallint, integer, bigint) or uuid
// column that is also the replica identity; a table with any other key is
// one chunk, compared again whole when any of its rows changes.
//
// Thread safety: relation(), touched*() and counts() from the stream's
// thread while the checking thread runs; the rest from one thread.
#pragma once

#include <atomic>
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
  int clean = 0;           // matched, and untouched since
  int compared = 0;        // chunk comparisons while streaming
  int mismatched = 0;      // of them, checksums that differed
  int never_compared = 0;  // chunks not compared yet
};

// The comparison at cutover.
struct CutoverVerify {
  int tables = 0;
  int chunks = 0;
  int compared = 0;  // chunks compared at cutover (the others were clean)
  int64_t rows = 0;  // source rows in them
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
    logical::Lsn touched;   // the last commit that changed a row of it
    logical::Lsn verified;  // the target position its checksums matched at
    bool matched = false;
    bool compared = false;
    std::chrono::steady_clock::time_point last_compare;
  };
  enum class KeyKind { kWhole, kInteger, kUuid };
  struct Table {
    verify::TablePlan plan;
    KeyKind kind = KeyKind::kWhole;
    std::vector<int64_t> int_bounds;       // chunk i ends before bound i (kInteger)
    std::vector<std::string> text_bounds;  // the same (kUuid)
    std::vector<Chunk> chunks;
  };
  struct RelationMap {
    int table = -1;         // index into tables_, -1 for a table not planned
    std::vector<int> keys;  // tuple positions of the key columns; empty: touch all
  };

  explicit LiveVerify(LiveVerifyOptions options) : o_(std::move(options)) {}
  int chunk_of(const Table& t, const std::string& key) const;
  bool clean(const Chunk& c) const { return c.matched && c.verified >= c.touched; }
  // The next chunk to compare in the background; false when none is due.
  bool next_due(int& table, int& chunk);
  void background();
  Status compare_in_background();

  LiveVerifyOptions o_;
  std::vector<Table> tables_;
  std::vector<std::string> not_compared_;
  mutable std::mutex mu_;
  std::map<uint32_t, RelationMap> relations_;
  int compared_ = 0, mismatched_ = 0;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace pgshuttle::sync
