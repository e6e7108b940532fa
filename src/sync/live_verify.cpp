#include "sync/live_verify.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <future>
#include <set>
#include <tuple>

#include "core/log.h"
#include "exec/retry.h"
#include "pg/data_session.h"
#include "verify/data_compare.h"
#include "verify/session.h"

namespace pgshuttle::sync {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

// A chunk that is not clean is compared again at most this often while
// streaming: a chunk the load keeps changing would otherwise be read over
// and over, for nothing (the cutover compares it anyway).
constexpr auto kRecompareEvery = 2s;
// Changed rows are compared one by one at most this often per chunk, in
// batches of at most kRowBatch keys.
constexpr auto kRecompareRowsEvery = 250ms;
constexpr size_t kRowBatch = 20000;
// Keys kept pending per chunk; past it the chunk must match whole again
// (cheaper than so many rows one by one, and memory stays bounded).
constexpr size_t kMaxKeys = 20000;
// A clean chunk is compared again after this long, when nothing else is
// due: a difference the stream did not cause (a write on the target behind
// the sync's back) is then found before the cutover, if it came before.
constexpr auto kRecompareCleanEvery = 60s;

std::optional<int64_t> parse_int(const std::string& text) {
  int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return v;
}

double since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

}  // namespace

Result<std::unique_ptr<LiveVerify>> LiveVerify::open(const LiveVerifyOptions& options) {
  std::unique_ptr<LiveVerify> lv(new LiveVerify(options));
  PGS_ASSIGN_OR_RETURN(
      auto source, pg::connect_data_session(options.source, pg::Side::kSource, options.encoding));
  PGS_ASSIGN_OR_RETURN(
      auto target, pg::connect_data_session(options.target, pg::Side::kTarget, options.encoding));
  PGS_ASSIGN_OR_RETURN(auto hash,
                       verify::choose_row_hash(source, target, verify::RowHash::kHashExtended64));
  PGS_ASSIGN_OR_RETURN(auto published,
                       source.query("SELECT schemaname::text, tablename::text FROM "
                                    "pg_catalog.pg_publication_tables WHERE pubname = $1",
                                    {options.publication}));
  std::set<std::pair<std::string, std::string>> names;
  for (int i = 0; i < published.rows(); ++i)
    names.insert({published.get(i, 0), published.get(i, 1)});
  PGS_ASSIGN_OR_RETURN(auto all, verify::read_tables(source));
  // Row-level security that hides rows from either session: such a table
  // cannot be compared (the verify's rule), and is named.
  PGS_ASSIGN_OR_RETURN(auto on_target, verify::read_tables(target));
  std::map<std::pair<std::string, std::string>, std::string> hidden;
  for (const auto* side : {&all, &on_target}) {
    for (const auto& t : *side) {
      if (!t.unreadable.empty()) hidden[{t.schema, t.name}] = t.unreadable;
    }
  }
  for (auto& info : all) {
    if (!names.count({info.schema, info.name})) continue;
    if (auto h = hidden.find({info.schema, info.name}); h != hidden.end()) {
      lv->not_compared_.push_back(info.qualified() + " (" + h->second + ")");
      continue;
    }
    Table t;
    t.plan = verify::TablePlan{info, info.columns, {}, {}, hash};
    if (info.key.size() == 1) {
      const std::string& type = info.key[0].type;
      if (type == "smallint" || type == "integer" || type == "bigint") t.kind = KeyKind::kInteger;
      if (type == "uuid") t.kind = KeyKind::kUuid;
    }
    std::vector<verify::KeyRange> ranges{verify::KeyRange{}};
    if (t.kind != KeyKind::kWhole) {
      PGS_ASSIGN_OR_RETURN(ranges, verify::plan_chunks(source, info, options.chunk_rows));
    }
    for (size_t i = 0; i + 1 < ranges.size() && t.kind == KeyKind::kUuid; ++i) {
      t.text_bounds.push_back(ranges[i].upper->at(0));
    }
    for (size_t i = 0; i + 1 < ranges.size() && t.kind == KeyKind::kInteger; ++i) {
      auto bound = parse_int(ranges[i].upper->at(0));
      if (!bound) {  // not expected of an integer's text; one chunk then
        ranges = {verify::KeyRange{}};
        t.int_bounds.clear();
        break;
      }
      t.int_bounds.push_back(*bound);
    }
    if (ranges.size() == 1) t.kind = KeyKind::kWhole;
    for (auto& r : ranges) {
      Chunk c;
      c.range = std::move(r);
      t.chunks.push_back(std::move(c));
    }
    t.plan.chunks.clear();
    lv->tables_.push_back(std::move(t));
  }
  return lv;
}

LiveVerify::~LiveVerify() { stop(); }

void LiveVerify::start() {
  std::lock_guard lock(mu_);
  if (thread_.joinable() || stopping_) return;
  thread_ = std::thread([this] { background(); });
}

void LiveVerify::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void LiveVerify::relation(const logical::Relation& r) {
  std::lock_guard lock(mu_);
  RelationMap map;
  for (size_t i = 0; i < tables_.size(); ++i) {
    if (tables_[i].plan.table.schema != r.schema || tables_[i].plan.table.name != r.name) {
      continue;
    }
    map.table = static_cast<int>(i);
    const Table& t = tables_[i];
    // Rows by key only when the replica identity is the primary key: its
    // columns' tuple positions, in the key's order (pgoutput flags them in
    // column order). Keys go to the server in JSON, which is UTF-8 only.
    std::map<std::string, int> flagged;
    for (size_t c = 0; c < r.columns.size(); ++c) {
      if (r.columns[c].key) flagged[r.columns[c].name] = static_cast<int>(c);
    }
    std::vector<int> keys;
    for (const auto& k : t.plan.table.key) {
      auto f = flagged.find(k.name);
      if (f != flagged.end()) keys.push_back(f->second);
    }
    if (o_.encoding == "UTF8" && !keys.empty() && keys.size() == flagged.size() &&
        keys.size() == t.plan.table.key.size()) {
      map.keys = keys;
    }
  }
  relations_[r.relation_id] = std::move(map);
}

int LiveVerify::chunk_of(const Table& t, const std::string& key) const {
  if (t.kind == KeyKind::kInteger) {
    auto v = parse_int(key);
    if (!v) return -1;
    return static_cast<int>(std::upper_bound(t.int_bounds.begin(), t.int_bounds.end(), *v) -
                            t.int_bounds.begin());
  }
  if (t.kind == KeyKind::kUuid) {
    // uuid orders as its 16 bytes, which is the order of its lower-case
    // hexadecimal text, the form both pgoutput and the sampled bounds have.
    return static_cast<int>(std::upper_bound(t.text_bounds.begin(), t.text_bounds.end(), key) -
                            t.text_bounds.begin());
  }
  return -1;
}

void LiveVerify::mark(Table& t, int chunk, const verify::KeyValue* key, logical::Lsn commit) {
  auto on = [&](Chunk& c) {
    if (!key) {
      c.whole_after = std::max(c.whole_after, commit);
      return;
    }
    logical::Lsn& at = c.keys[*key];
    at = std::max(at, commit);
    if (c.keys.size() > kMaxKeys) {
      for (const auto& [k, lsn] : c.keys) c.whole_after = std::max(c.whole_after, lsn);
      c.keys.clear();
    }
  };
  if (chunk >= 0 && static_cast<size_t>(chunk) < t.chunks.size()) {
    on(t.chunks[static_cast<size_t>(chunk)]);
    return;
  }
  for (auto& c : t.chunks) on(c);  // no key: every chunk
}

void LiveVerify::touched(uint32_t relation, const logical::TupleData& tuple, logical::Lsn commit) {
  std::lock_guard lock(mu_);
  auto it = relations_.find(relation);
  if (it == relations_.end() || it->second.table < 0) return;
  Table& t = tables_[static_cast<size_t>(it->second.table)];
  std::optional<verify::KeyValue> key;
  if (!it->second.keys.empty()) {
    key.emplace();
    for (int pos : it->second.keys) {
      const auto* v = static_cast<size_t>(pos) < tuple.size()
                          ? std::get_if<logical::TextValue>(&tuple[static_cast<size_t>(pos)])
                          : nullptr;
      if (!v) {
        key.reset();
        break;
      }
      key->push_back(v->text);
    }
  }
  int chunk = -1;
  if (t.chunks.size() == 1) {
    chunk = 0;
  } else if (key && key->size() == 1) {
    chunk = chunk_of(t, key->front());
  }
  mark(t, key ? chunk : -1, key ? &*key : nullptr, commit);
}

void LiveVerify::touched_all(uint32_t relation, logical::Lsn commit) {
  std::lock_guard lock(mu_);
  auto it = relations_.find(relation);
  if (it == relations_.end() || it->second.table < 0) return;
  mark(tables_[static_cast<size_t>(it->second.table)], -1, nullptr, commit);
}

LiveVerifyCounts LiveVerify::counts() const {
  std::lock_guard lock(mu_);
  LiveVerifyCounts c;
  c.tables = static_cast<int>(tables_.size());
  for (const auto& t : tables_) {
    c.chunks += static_cast<int>(t.chunks.size());
    c.clean += static_cast<int>(
        std::count_if(t.chunks.begin(), t.chunks.end(), [](const Chunk& k) { return clean(k); }));
    for (const auto& k : t.chunks) {
      if (!k.compared && !stopped_) ++c.never_compared;
      c.pending_rows += static_cast<int64_t>(k.keys.size());
    }
  }
  return c;
}

LiveVerify::Work LiveVerify::next_due(int& table, int& chunk) {
  auto now = Clock::now();
  // First a chunk never compared; then, of the chunks whose next look is
  // due (changed rows after kRecompareRowsEvery, a chunk due whole after
  // kRecompareEvery, a clean one after kRecompareCleanEvery), the one due
  // longest: no kind starves the others under a steady load.
  std::optional<std::tuple<Clock::time_point, int, int, Work>> best;
  for (size_t ti = 0; ti < tables_.size(); ++ti) {
    for (size_t ci = 0; ci < tables_[ti].chunks.size(); ++ci) {
      const Chunk& c = tables_[ti].chunks[ci];
      int t = static_cast<int>(ti), k = static_cast<int>(ci);
      if (!c.compared) {
        table = t;
        chunk = k;
        return Work::kWhole;
      }
      Clock::time_point due;
      Work work = Work::kWhole;
      if (whole_due(c)) {
        due = c.last_compare + kRecompareEvery;
      } else if (!c.keys.empty()) {
        due = c.last_rows_compare + kRecompareRowsEvery;
        work = Work::kRows;
      } else {
        due = c.last_compare + kRecompareCleanEvery;
      }
      if (due > now) continue;
      auto candidate = std::make_tuple(due, t, k, work);
      if (!best || candidate < *best) best = candidate;
    }
  }
  if (!best) return Work::kNone;
  table = std::get<1>(*best);
  chunk = std::get<2>(*best);
  return std::get<3>(*best);
}

namespace {

// The target's commit position applied, read in the transaction open on
// `target` (so in the same snapshot as what it reads next).
Result<logical::Lsn> applied_position(pg::Connection& target, const std::string& sync_id) {
  PGS_ASSIGN_OR_RETURN(auto has_state,
                       target.query("SELECT to_regclass('pgshuttle.sync_state') IS NOT NULL"));
  if (!has_state.get_bool(0, 0)) return logical::Lsn{};
  PGS_ASSIGN_OR_RETURN(auto pos,
                       target.query("SELECT commit_lsn::text FROM pgshuttle.sync_state WHERE "
                                    "sync_id = $1",
                                    {sync_id}));
  if (pos.rows() != 1) return logical::Lsn{};
  return logical::Lsn::parse(pos.view(0, 0)).value_or(logical::Lsn{});
}

// Each key's row on one side: whether it exists, and its hash.
using KeyedRows = std::vector<std::optional<std::string>>;

Result<KeyedRows> keyed_rows(pg::Connection& conn, const verify::TablePlan& plan,
                             const std::vector<verify::KeyValue>& keys) {
  nlohmann::json input = nlohmann::json::array();
  for (size_t i = 0; i < keys.size(); ++i) {
    nlohmann::json row{{"pgshuttle_ord", i}};
    for (size_t c = 0; c < keys[i].size(); ++c) row[fmt::format("pgshuttle_k{}", c)] = keys[i][c];
    input.push_back(std::move(row));
  }
  PGS_ASSIGN_OR_RETURN(auto rows, conn.query(verify::keyed_rows_sql(plan), {input.dump()}));
  KeyedRows out(keys.size());
  for (int r = 0; r < rows.rows(); ++r) {
    auto ord = static_cast<size_t>(rows.get_int(r, 0));
    if (ord < out.size() && rows.get_bool(r, 1)) out[ord] = rows.get(r, 2);
  }
  return out;
}

}  // namespace

Status LiveVerify::compare_whole(pg::Connection& source, pg::Connection& target, int ti, int ci) {
  verify::TablePlan plan;
  verify::KeyRange range;
  {
    std::lock_guard lock(mu_);
    plan = tables_[ti].plan;
    range = tables_[ti].chunks[ci].range;
  }
  std::string sql = verify::checksum_sql(plan, range);
  auto params = verify::range_params(range);
  // The target's rows and the position they hold, in one snapshot.
  PGS_TRY(target.exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"));
  PGS_ASSIGN_OR_RETURN(logical::Lsn at, applied_position(target, o_.sync_id));
  PGS_ASSIGN_OR_RETURN(auto on_target, target.query(sql, params));
  PGS_TRY(target.exec("COMMIT"));
  PGS_ASSIGN_OR_RETURN(auto on_source, source.query(sql, params));
  bool same = true;
  for (int c = 0; c < 3; ++c) same = same && on_source.get(0, c) == on_target.get(0, c);
  std::set<verify::KeyValue> differ;
  // (Only for a chunk of at most twice its planned size or 200,000 rows: a
  // one-chunk table of millions of rows stays unmatched, compared whole at
  // cutover, rather than held in memory key by key.)
  if (!same && !plan.table.key.empty() &&
      on_source.get_int(0, 0) <= std::max<int64_t>(2 * o_.chunk_rows, 200000)) {
    // Under a steady load a busy chunk seldom matches whole: the source is
    // always a little ahead. Its rows then, key and hash, on both sides:
    // the chunk matches at that position but for the rows that differ,
    // which are compared one by one from then on.
    std::string rows_sql = verify::key_hash_sql(plan, range);
    PGS_TRY(target.exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"));
    PGS_ASSIGN_OR_RETURN(at, applied_position(target, o_.sync_id));
    PGS_ASSIGN_OR_RETURN(auto t_rows, target.query(rows_sql, params));
    PGS_TRY(target.exec("COMMIT"));
    PGS_ASSIGN_OR_RETURN(auto s_rows, source.query(rows_sql, params));
    auto read = [&](const pg::QueryResult& q) {
      std::map<verify::KeyValue, std::string> rows;
      int nkey = static_cast<int>(plan.table.key.size());
      for (int r = 0; r < q.rows(); ++r) {
        verify::KeyValue k;
        for (int c = 0; c < nkey; ++c) k.push_back(q.get(r, c));
        rows[std::move(k)] = q.get(r, nkey);
      }
      return rows;
    };
    auto on_t = read(t_rows), on_s = read(s_rows);
    for (const auto& [k, h] : on_t) {
      auto it = on_s.find(k);
      if (it == on_s.end() || it->second != h) differ.insert(k);
    }
    for (const auto& [k, h] : on_s) {
      if (!on_t.count(k)) differ.insert(k);
    }
    same = differ.size() <= kMaxKeys;
  }
  std::lock_guard lock(mu_);
  applied_ = std::max(applied_, at);
  Chunk& c = tables_[ti].chunks[ci];
  c.compared = true;
  c.last_compare = Clock::now();
  if (!same) {
    c.matched = false;
    return ok_status();
  }
  c.matched = true;
  c.verified = at;
  std::erase_if(c.keys, [&](const auto& entry) { return entry.second <= at; });
  for (const auto& k : differ) {
    logical::Lsn& pending = c.keys[k];
    pending = std::max(pending, at);
  }
  return ok_status();
}

Status LiveVerify::compare_rows(pg::Connection& source, pg::Connection& target, int ti, int ci) {
  // The target's position now: the keys it has applied can be compared.
  PGS_ASSIGN_OR_RETURN(logical::Lsn now_applied, applied_position(target, o_.sync_id));
  verify::TablePlan plan;
  std::vector<std::pair<verify::KeyValue, logical::Lsn>> batch;
  {
    std::lock_guard lock(mu_);
    plan = tables_[ti].plan;
    applied_ = std::max(applied_, now_applied);
    Chunk& c = tables_[ti].chunks[ci];
    c.last_rows_compare = Clock::now();
    // Round the pending keys from where the last batch ended, taking those
    // the target had applied at the last look (the others cannot match
    // yet): otherwise the first keys, changed again and again, would be
    // all a batch ever holds.
    auto it = c.keys.upper_bound(c.cursor);
    for (size_t seen = 0; seen < c.keys.size() && batch.size() < kRowBatch; ++seen, ++it) {
      if (it == c.keys.end()) it = c.keys.begin();
      if (it->second <= applied_) batch.push_back(*it);
    }
    if (!batch.empty()) c.cursor = batch.back().first;
  }
  if (batch.empty()) return ok_status();
  std::vector<verify::KeyValue> keys;
  for (const auto& [k, lsn] : batch) keys.push_back(k);
  PGS_TRY(target.exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"));
  PGS_ASSIGN_OR_RETURN(logical::Lsn at, applied_position(target, o_.sync_id));
  PGS_ASSIGN_OR_RETURN(auto on_target, keyed_rows(target, plan, keys));
  PGS_TRY(target.exec("COMMIT"));
  PGS_ASSIGN_OR_RETURN(auto on_source, keyed_rows(source, plan, keys));
  std::lock_guard lock(mu_);
  applied_ = std::max(applied_, at);
  Chunk& c = tables_[ti].chunks[ci];
  for (size_t i = 0; i < batch.size(); ++i) {
    if (on_source[i] != on_target[i]) continue;
    // The same now, and not changed after the target's position: dropped
    // (a change recorded since has a later position and stays).
    auto it = c.keys.find(batch[i].first);
    if (it != c.keys.end() && it->second <= at) c.keys.erase(it);
  }
  return ok_status();
}

Status LiveVerify::compare_in_background() {
  PGS_ASSIGN_OR_RETURN(auto source,
                       pg::connect_data_session(o_.source, pg::Side::kSource, o_.encoding));
  PGS_ASSIGN_OR_RETURN(auto target,
                       pg::connect_data_session(o_.target, pg::Side::kTarget, o_.encoding));
  for (;;) {
    int ti = 0, ci = 0;
    Work work = Work::kNone;
    {
      std::unique_lock lock(mu_);
      if (stopping_) return ok_status();
      work = next_due(ti, ci);
      if (work == Work::kNone) {
        wake_.wait_for(lock, 250ms);
        continue;
      }
    }
    auto started = Clock::now();
    if (work == Work::kWhole) {
      PGS_TRY(compare_whole(source, target, ti, ci));
    } else {
      PGS_TRY(compare_rows(source, target, ti, ci));
    }
    // As long again idle: the stream and the application come first.
    std::unique_lock lock(mu_);
    wake_.wait_for(lock, std::chrono::duration<double>(since(started)),
                   [this] { return stopping_; });
  }
}

// A lost session (a failover, an idle timeout) is replaced, as the
// stream's are; any other failure ends the background work.
void LiveVerify::background() {
  for (;;) {
    Status st = ok_status();
    try {
      st = compare_in_background();
    } catch (const std::exception& e) {
      st = make_error(ErrorCode::kInternal, e.what());
    }
    if (st.ok()) return;
    std::unique_lock lock(mu_);
    if (stopping_) return;
    if (!exec::is_transient(st.error())) {
      log::warn("live verify stopped ({}); the cutover compares every chunk it did not",
                st.error().to_string());
      stopped_ = true;  // the automatic cutover waits for it no longer
      return;
    }
    log::warn("live verify: {}; reconnecting", st.error().to_string());
    wake_.wait_for(lock, 1s, [this] { return stopping_; });
  }
}

Result<CutoverVerify> LiveVerify::check_at_cutover() {
  stop();
  auto started = Clock::now();
  CutoverVerify out;
  out.not_compared = not_compared_;
  std::vector<verify::TablePlan> plans;
  for (const auto& t : tables_) {
    out.chunks += static_cast<int>(t.chunks.size());
    verify::TablePlan p = t.plan;
    for (const auto& c : t.chunks) {
      if (whole_due(c)) p.chunks.push_back(c.range);
    }
    out.compared += static_cast<int>(p.chunks.size());
    if (!p.chunks.empty()) plans.push_back(std::move(p));
  }
  if (!plans.empty()) {
    PGS_ASSIGN_OR_RETURN(auto source, verify::SideSnapshot::open(o_.source, pg::Side::kSource));
    PGS_ASSIGN_OR_RETURN(auto target, verify::SideSnapshot::open(o_.target, pg::Side::kTarget));
    verify::VerifyOptions vo;
    vo.jobs = std::max(1, o_.jobs);
    PGS_ASSIGN_OR_RETURN(auto outcomes, verify::compare_data(source, target, plans, vo));
    for (auto& outcome : outcomes) {
      out.rows += outcome.result.source_rows;
      if (outcome.result.status != verify::TableStatus::kMatch) {
        verify::Difference d;
        d.kind = "table data";
        d.object = outcome.result.qualified();
        d.problem = "content differs";
        d.source_value = fmt::format("{} rows on source, {} on target (in the chunks compared)",
                                     outcome.result.source_rows, outcome.result.target_rows);
        out.differences.push_back(std::move(d));
      }
      for (auto& d : outcome.differences) out.differences.push_back(std::move(d));
    }
  }
  // The changed rows of the other chunks, one by one.
  std::optional<pg::Connection> source, target;
  for (const auto& t : tables_) {
    std::set<verify::KeyValue> keys;
    for (const auto& c : t.chunks) {
      if (whole_due(c)) continue;
      for (const auto& [k, lsn] : c.keys) keys.insert(k);
    }
    if (keys.empty()) continue;
    if (!source) {
      PGS_ASSIGN_OR_RETURN(source,
                           pg::connect_data_session(o_.source, pg::Side::kSource, o_.encoding));
      PGS_ASSIGN_OR_RETURN(target,
                           pg::connect_data_session(o_.target, pg::Side::kTarget, o_.encoding));
    }
    std::vector<verify::KeyValue> all(keys.begin(), keys.end());
    for (size_t from = 0; from < all.size(); from += kRowBatch) {
      std::vector<verify::KeyValue> batch(
          all.begin() + static_cast<std::ptrdiff_t>(from),
          all.begin() + static_cast<std::ptrdiff_t>(std::min(all.size(), from + kRowBatch)));
      // Both sides at once: this is inside the downtime.
      auto target_rows =
          std::async(std::launch::async, [&] { return keyed_rows(*target, t.plan, batch); });
      auto source_rows = keyed_rows(*source, t.plan, batch);
      auto target_result = target_rows.get();
      PGS_ASSIGN_OR_RETURN(auto on_source, std::move(source_rows));
      PGS_ASSIGN_OR_RETURN(auto on_target, std::move(target_result));
      out.changed_rows += static_cast<int64_t>(batch.size());
      for (size_t i = 0; i < batch.size(); ++i) {
        if (on_source[i] == on_target[i]) continue;
        verify::Difference d;
        d.kind = "row";
        d.object =
            t.plan.table.qualified() + " " + verify::describe_key(t.plan.table.key, batch[i]);
        d.problem = !on_target[i]   ? "missing on target"
                    : !on_source[i] ? "extra on target"
                                    : "changed";
        out.differences.push_back(std::move(d));
      }
    }
  }
  out.seconds = since(started);
  return out;
}

}  // namespace pgshuttle::sync
