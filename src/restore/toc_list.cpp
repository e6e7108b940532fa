#include "restore/toc_list.h"

#include <fmt/format.h>

#include <array>
#include <cctype>

namespace pgshuttle::restore {
namespace {

// Descriptions of more than one word that pg_restore -l prints.
constexpr std::array<std::string_view, 16> kMultiWordDescs = {"TABLE DATA",
                                                              "SEQUENCE SET",
                                                              "SEQUENCE OWNED BY",
                                                              "FK CONSTRAINT",
                                                              "EVENT TRIGGER",
                                                              "DEFAULT ACL",
                                                              "LARGE OBJECT",
                                                              "BLOB METADATA",
                                                              "MATERIALIZED VIEW DATA",
                                                              "MATERIALIZED VIEW",
                                                              "TEXT SEARCH CONFIGURATION",
                                                              "TEXT SEARCH DICTIONARY",
                                                              "TEXT SEARCH PARSER",
                                                              "TEXT SEARCH TEMPLATE",
                                                              "FOREIGN TABLE",
                                                              "PROCEDURAL LANGUAGE"};

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

std::string_view next_word(std::string_view& rest) {
  size_t sp = rest.find(' ');
  std::string_view w = rest.substr(0, sp);
  rest = sp == std::string_view::npos ? std::string_view() : rest.substr(sp + 1);
  return w;
}

// Fills desc/schema/name from "12; 1259 16390 TABLE public orders app".
void parse_entry(TocEntry& e) {
  std::string_view rest = e.line;
  size_t semi = rest.find("; ");
  if (semi == std::string_view::npos || !std::isdigit(static_cast<unsigned char>(rest[0]))) {
    return;
  }
  rest.remove_prefix(semi + 2);
  next_word(rest);  // tableoid
  next_word(rest);  // oid
  e.desc.clear();
  for (auto d : kMultiWordDescs) {
    if (rest.size() > d.size() && starts_with(rest, d) && rest[d.size()] == ' ') {
      e.desc = std::string(d);
      rest.remove_prefix(d.size() + 1);
      break;
    }
  }
  if (e.desc.empty()) e.desc = std::string(next_word(rest));
  e.schema = std::string(next_word(rest));
  // The tag may contain spaces; the owner is the last word (absent for some).
  size_t last = rest.rfind(' ');
  e.name = std::string(last == std::string_view::npos ? rest : rest.substr(0, last));
  while (!e.name.empty() && e.name.back() == ' ') e.name.pop_back();
}

bool is_provider_only(const TocEntry& e) {
  if (e.schema == "heroku_ext") return true;
  if (e.desc == "SCHEMA" && e.name == "heroku_ext") return true;
  if (e.desc == "EXTENSION" && e.name == "aiven_extras") return true;
  if (e.desc == "COMMENT" || e.desc == "ACL") {
    return e.name == "EXTENSION aiven_extras" || e.name == "SCHEMA heroku_ext";
  }
  return false;
}

}  // namespace

TocList TocList::parse(std::string_view list_text) {
  TocList list;
  while (!list_text.empty()) {
    size_t nl = list_text.find('\n');
    TocEntry e;
    e.line = std::string(list_text.substr(0, nl));
    parse_entry(e);
    list.entries_.push_back(std::move(e));
    if (nl == std::string_view::npos) break;
    list_text.remove_prefix(nl + 1);
  }
  return list;
}

std::vector<std::string> TocList::extensions() const {
  std::vector<std::string> out;
  for (const auto& e : entries_) {
    if (e.desc == "EXTENSION" && !e.skipped) out.push_back(e.name);
  }
  return out;
}

size_t TocList::table_data_count() const {
  size_t n = 0;
  for (const auto& e : entries_) n += e.desc == "TABLE DATA" ? 1 : 0;
  return n;
}

std::vector<std::string> TocList::skip_managed_unsafe() {
  std::vector<std::string> warnings;
  for (auto& e : entries_) {
    if (e.desc.empty() || e.skipped) continue;
    bool event_trigger =
        e.desc == "EVENT TRIGGER" || (e.desc == "COMMENT" && starts_with(e.name, "EVENT TRIGGER "));
    if (event_trigger) {
      e.skip_reason = "event triggers need a superuser";
    } else if (is_provider_only(e)) {
      e.skip_reason = "provider-only object";
    } else {
      continue;
    }
    e.skipped = true;
    std::string what = e.schema == "-" ? e.name : e.schema + "." + e.name;
    warnings.push_back(fmt::format("skipped {} {}: {}", e.desc, what, e.skip_reason));
  }
  return warnings;
}

std::string TocList::render() const {
  std::string out;
  for (const auto& e : entries_) {
    if (e.skipped) out += ';';
    out += e.line;
    out += '\n';
  }
  return out;
}

}  // namespace pgshuttle::restore
