#include "sync/live_verify.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <chrono>
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
    for (auto& r : ranges) t.chunks.push_back(Chunk{std::move(r), {}, {}, false, false, {}});
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
    std::vector<int> keys;
    std::vector<std::string> key_names;
    for (size_t c = 0; c < r.columns.size(); ++c) {
      if (!r.columns[c].key) continue;
      keys.push_back(static_cast<int>(c));
      key_names.push_back(r.columns[c].name);
    }
    // Chunks by key only when the replica identity is that very key.
    if (t.kind != KeyKind::kWhole && key_names.size() == 1 &&
        key_names[0] == t.plan.table.key[0].name) {
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

void LiveVerify::touched(uint32_t relation, const logical::TupleData& tuple, logical::Lsn commit) {
  std::lock_guard lock(mu_);
  auto it = relations_.find(relation);
  if (it == relations_.end() || it->second.table < 0) return;
  Table& t = tables_[static_cast<size_t>(it->second.table)];
  int chunk = -1;
  if (it->second.keys.size() == 1 && static_cast<size_t>(it->second.keys[0]) < tuple.size()) {
    if (const auto* v = std::get_if<logical::TextValue>(&tuple[it->second.keys[0]])) {
      chunk = chunk_of(t, v->text);
    }
  }
  if (chunk >= 0 && static_cast<size_t>(chunk) < t.chunks.size()) {
    Chunk& c = t.chunks[static_cast<size_t>(chunk)];
    c.touched = std::max(c.touched, commit);
    return;
  }
  for (auto& c : t.chunks) c.touched = std::max(c.touched, commit);
}

void LiveVerify::touched_all(uint32_t relation, logical::Lsn commit) {
  touched(relation, {}, commit);  // no key: every chunk
}

LiveVerifyCounts LiveVerify::counts() const {
  std::lock_guard lock(mu_);
  LiveVerifyCounts c;
  c.tables = static_cast<int>(tables_.size());
  for (const auto& t : tables_) {
    c.chunks += static_cast<int>(t.chunks.size());
    c.clean += static_cast<int>(std::count_if(t.chunks.begin(), t.chunks.end(),
                                              [this](const Chunk& k) { return clean(k); }));
    c.never_compared += static_cast<int>(std::count_if(t.chunks.begin(), t.chunks.end(),
                                                       [](const Chunk& k) { return !k.compared; }));
  }
  c.compared = compared_;
  c.mismatched = mismatched_;
  return c;
}

bool LiveVerify::next_due(int& table, int& chunk) {
  auto now = Clock::now();
  // First a chunk never compared, then the changed one compared longest
  // ago, then the clean one compared longest ago.
  std::optional<std::tuple<bool, Clock::time_point, int, int>> best;
  for (size_t ti = 0; ti < tables_.size(); ++ti) {
    for (size_t ci = 0; ci < tables_[ti].chunks.size(); ++ci) {
      const Chunk& c = tables_[ti].chunks[ci];
      int t = static_cast<int>(ti), k = static_cast<int>(ci);
      if (!c.compared) {
        table = t;
        chunk = k;
        return true;
      }
      bool is_clean = clean(c);
      if (now - c.last_compare < (is_clean ? kRecompareCleanEvery : kRecompareEvery)) continue;
      auto candidate = std::make_tuple(is_clean, c.last_compare, t, k);
      if (!best || candidate < *best) best = candidate;
    }
  }
  if (!best) return false;
  table = std::get<2>(*best);
  chunk = std::get<3>(*best);
  return true;
}

Status LiveVerify::compare_in_background() {
  PGS_ASSIGN_OR_RETURN(auto source,
                       pg::connect_data_session(o_.source, pg::Side::kSource, o_.encoding));
  PGS_ASSIGN_OR_RETURN(auto target,
                       pg::connect_data_session(o_.target, pg::Side::kTarget, o_.encoding));
  for (;;) {
    int ti = 0, ci = 0;
    verify::TablePlan plan;
    verify::KeyRange range;
    {
      std::unique_lock lock(mu_);
      if (stopping_) return ok_status();
      if (!next_due(ti, ci)) {
        wake_.wait_for(lock, 250ms);
        continue;
      }
      plan = tables_[ti].plan;
      range = tables_[ti].chunks[ci].range;
    }
    auto started = Clock::now();
    std::string sql = verify::checksum_sql(plan, range);
    auto params = verify::range_params(range);
    // The target's rows and the position they hold, in one snapshot.
    PGS_TRY(target.exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"));
    PGS_ASSIGN_OR_RETURN(auto has_state,
                         target.query("SELECT to_regclass('pgshuttle.sync_state') IS NOT NULL"));
    logical::Lsn at;
    if (has_state.get_bool(0, 0)) {
      PGS_ASSIGN_OR_RETURN(auto pos,
                           target.query("SELECT commit_lsn::text FROM pgshuttle.sync_state WHERE "
                                        "sync_id = $1",
                                        {o_.sync_id}));
      if (pos.rows() == 1) at = logical::Lsn::parse(pos.view(0, 0)).value_or(logical::Lsn{});
    }
    PGS_ASSIGN_OR_RETURN(auto on_target, target.query(sql, params));
    PGS_TRY(target.exec("COMMIT"));
    PGS_ASSIGN_OR_RETURN(auto on_source, source.query(sql, params));
    bool same = true;
    for (int c = 0; c < 3; ++c) same = same && on_source.get(0, c) == on_target.get(0, c);
    double took = since(started);
    {
      std::unique_lock lock(mu_);
      Chunk& c = tables_[ti].chunks[ci];
      c.compared = true;
      c.last_compare = Clock::now();
      c.matched = same;
      c.verified = same ? at : logical::Lsn{};
      ++compared_;
      if (!same) ++mismatched_;
      // As long again idle: the stream and the application come first.
      wake_.wait_for(lock, std::chrono::duration<double>(took), [this] { return stopping_; });
    }
  }
}

// A lost session (a failover, an idle timeout) is replaced, as the
// stream's are; any other failure ends the background work.
void LiveVerify::background() {
  for (;;) {
    Status st = compare_in_background();
    if (st.ok()) return;
    std::unique_lock lock(mu_);
    if (stopping_) return;
    if (!exec::is_transient(st.error())) {
      log::warn("live verify stopped ({}); the cutover compares every chunk it did not",
                st.error().to_string());
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
    ++out.tables;
    out.chunks += static_cast<int>(t.chunks.size());
    verify::TablePlan p = t.plan;
    for (const auto& c : t.chunks) {
      if (!clean(c)) p.chunks.push_back(c.range);
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
  out.seconds = since(started);
  return out;
}

}  // namespace pgshuttle::sync
