// Helpers the logical integration tests share: a slot dropped whatever
// happens, a session on the rig's source, reading the stream until a
// message, and the stream as one line per message.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "logical/replication_stream.h"
#include "rig/rig.h"

namespace pgshuttle::logical::test {

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

inline ReplicationStream open_stream(const std::string& url) {
  auto info = pg::ConnInfo::parse(url);
  EXPECT_TRUE(info.ok());
  auto stream = ReplicationStream::open(*info);
  if (!stream.ok()) throw std::runtime_error(stream.error().to_string());
  return std::move(*stream);
}

// Reads messages until `done` says so or 30 s pass; Relation messages go to
// `relations`, Begin+Commit pairs with nothing between them (a transaction
// that changed nothing published, as 13 and 14 still send) are left out.
inline std::vector<StreamMessage> read_until(
    ReplicationStream& stream, std::map<uint32_t, Relation>& relations,
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

inline std::string text_of(const ColumnValue& v) {
  if (auto* t = std::get_if<TextValue>(&v)) return t->text;
  if (std::holds_alternative<NullValue>(v)) return "<null>";
  if (std::holds_alternative<UnchangedToast>(v)) return "<unchanged>";
  return "<binary>";
}

inline std::string row(const TupleData& t) {
  std::string out;
  for (const auto& v : t) out += (out.empty() ? "" : "|") + text_of(v);
  return out;
}

// The stream, one line per message, relation ids replaced by names.
inline std::vector<std::string> describe(const std::vector<StreamMessage>& messages,
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

inline std::string slot_value(const std::string& url, const std::string& slot,
                              const std::string& col) {
  return psql(url, "SELECT " + col + " FROM pg_replication_slots WHERE slot_name = '" + slot + "'");
}

}  // namespace pgshuttle::logical::test
