#include "ddl/ddl_script.h"

#include <regex>

namespace pgshuttle::ddl {
namespace {

// "-- Name: x; Type: T; Schema: s; Owner: o" (also "-- Data for Name: ...").
bool parse_header(std::string_view line, DdlItem& item) {
  static const std::regex re(
      R"(^-- (?:Data for )?Name: (.*); Type: (.*); Schema: (.*); Owner: (.*)$)");
  std::match_results<std::string_view::const_iterator> m;
  if (!std::regex_match(line.begin(), line.end(), m, re)) return false;
  item.name = m[1].str();
  item.type = m[2].str();
  item.schema = m[3].str();
  item.owner = m[4].str();
  return true;
}

std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

void append_line(std::string& out, std::string_view line) {
  out.append(line);
  out.push_back('\n');
}

}  // namespace

std::string qualified_name_pattern() {
  return std::string(kSqlNamePattern) + "(?:\\." + kSqlNamePattern + ")?";
}

std::string item_table(const DdlItem& item) {
  static const std::string name = kSqlNamePattern, qualified = qualified_name_pattern();
  static const std::regex index_re("CREATE (?:UNIQUE )?INDEX " + name + " ON (?:ONLY )?(" +
                                   qualified + ") USING");
  static const std::regex alter_re("ALTER TABLE (?:ONLY )?(" + qualified + ")\\s+ADD CONSTRAINT");
  static const std::regex trigger_re("CREATE (?:CONSTRAINT )?TRIGGER " + name + " [\\s\\S]*? ON (" +
                                     qualified + ") ");
  std::smatch m;
  if (item.type == "INDEX" && std::regex_search(item.sql, m, index_re)) return m[1].str();
  if ((item.type == "CONSTRAINT" || item.type == "CHECK CONSTRAINT") &&
      std::regex_search(item.sql, m, alter_re)) {
    return m[1].str();
  }
  if (item.type == "TRIGGER" && std::regex_search(item.sql, m, trigger_re)) return m[1].str();
  return {};
}

bool is_foreign_key(const DdlItem& item) { return item.type == "FK CONSTRAINT"; }

DdlScript parse_ddl_script(std::string_view text) {
  DdlScript script;
  auto lines = split_lines(text);
  auto header_at = [&lines](size_t i, DdlItem& header) {
    return lines[i] == "--" && i + 2 < lines.size() && lines[i + 2] == "--" &&
           parse_header(lines[i + 1], header);
  };
  DdlItem* current = nullptr;
  // pg_dump writes the tablespace and table access method an item needs
  // just before that item's header: they belong to the next item, not to
  // the one they follow (which must not fail over an access method that
  // only its successor uses).
  std::string pending;
  for (size_t i = 0; i < lines.size(); ++i) {
    DdlItem header;
    if (header_at(i, header)) {
      script.items.push_back(std::move(header));
      current = &script.items.back();
      current->sql = std::move(pending);
      pending.clear();
      i += 2;
      continue;
    }
    if (lines[i].rfind("SET default_tablespace = ", 0) == 0 ||
        lines[i].rfind("SET default_table_access_method = ", 0) == 0) {
      size_t j = i + 1;
      while (j < lines.size() && lines[j].empty()) ++j;
      DdlItem next;
      if (j < lines.size() && header_at(j, next)) {
        append_line(pending, lines[i]);
        continue;
      }
    }
    // psql meta-commands pg_dump adds around the script (\restrict KEY,
    // \unrestrict KEY) are not SQL.
    if (lines[i].rfind("\\restrict ", 0) == 0 || lines[i].rfind("\\unrestrict ", 0) == 0) {
      continue;
    }
    if (current == nullptr) {
      append_line(script.preamble, lines[i]);
    } else {
      append_line(current->sql, lines[i]);
    }
  }
  for (auto& item : script.items) item.table = item_table(item);
  return script;
}

std::string drop_server_managed_options(std::string_view text) {
  static const std::regex option(R"((,\s*)?\bpg_attver=[0-9]+(\s*,\s*)?)");
  static const std::regex empty_set(R"(^ALTER TABLE (ONLY )?.* ALTER COLUMN .* SET \(\s*\);$)");
  if (text.find("pg_attver=") == std::string_view::npos) return std::string(text);
  std::string out;
  out.reserve(text.size());
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    size_t len = end == std::string_view::npos ? text.size() - start : end - start;
    std::string line(text.substr(start, len));
    static const std::regex column_options(
        R"(^ALTER TABLE (ONLY )?\S+ ALTER COLUMN \S+ SET \(.*\);$)");
    if (line.rfind("ALTER TABLE ", 0) == 0 && line.find("pg_attver=") != std::string::npos &&
        std::regex_match(line, column_options)) {
      // Keep one separator when the option sat between two others.
      line = std::regex_replace(line, option, "$1$2");
      size_t doubled = line.find(", ,");
      if (doubled != std::string::npos) line.erase(doubled, 2);
      for (const char* bad : {"(, ", ", )"}) {
        size_t p = line.find(bad);
        if (p != std::string::npos) line.erase(bad[0] == '(' ? p + 1 : p, 2);
      }
      if (std::regex_match(line, empty_set)) line.clear();
    }
    if (!line.empty() || len == 0) out += line;
    if (end == std::string_view::npos) break;
    if (!line.empty() || len == 0) out += '\n';
    start = end + 1;
  }
  return out;
}

int build_cost(std::string_view definition) {
  for (std::string_view kind : {"USING gist", "USING spgist", "EXCLUDE USING"}) {
    if (definition.find(kind) != std::string_view::npos) return 4;
  }
  if (definition.find("USING gin") != std::string_view::npos) return 3;
  return 1;
}

}  // namespace pgshuttle::ddl
