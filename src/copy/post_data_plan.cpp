#include "copy/post_data_plan.h"

#include <fmt/format.h>

#include <algorithm>
#include <regex>

#include "core/log.h"
#include "ddl/ddl_apply.h"
#include "sql/copy.h"

namespace pgshuttle::copy {

Result<UniqueIndexes> read_unique_indexes(pg::Connection& source) {
  // Index definitions name every object with its schema only when the
  // search_path does not reach it: make it reach nothing. Local to the
  // snapshot transaction, which only runs qualified queries.
  PGS_TRY(source.exec("SELECT pg_catalog.set_config('search_path', '', true)"));
  PGS_ASSIGN_OR_RETURN(auto rows, source.query(sql::copy::unique_constraints));
  UniqueIndexes out;
  for (int i = 0; i < rows.rows(); ++i) {
    UniqueIndex u;
    u.index_name = rows.get(i, 2);
    u.index_def = rows.get(i, 3);
    u.primary = rows.get_bool(i, 4);
    u.deferrable = rows.get_bool(i, 5);
    u.deferred = rows.get_bool(i, 6);
    u.index_qualified = rows.get(i, 7);
    out[rows.get(i, 0) + "\n" + rows.get(i, 1)] = std::move(u);
  }
  return out;
}

std::string attach_sql(const ddl::DdlItem& item, const UniqueIndex& index, std::string& why) {
  static const std::regex re("^\\s*ALTER TABLE ONLY (" + ddl::qualified_name_pattern() +
                             ")\\s+ADD CONSTRAINT (" + ddl::kSqlNamePattern +
                             ") (PRIMARY KEY|UNIQUE) ");
  std::smatch m;
  if (!std::regex_search(item.sql, m, re)) {
    why = "USING INDEX has no form for this constraint";
    return {};
  }
  if (item.sql.find("USING INDEX TABLESPACE") != std::string::npos) {
    why = "its index has its own tablespace";
    return {};
  }
  size_t end = item.sql.find(";\n", static_cast<size_t>(m.position(0) + m.length(0)));
  if (end == std::string::npos) {
    why = "its statement has no end";
    return {};
  }
  std::string rest = item.sql.substr(end + 2);
  rest.erase(rest.find_last_not_of(" \n\t") + 1);  // npos + 1: all blank
  if (!rest.empty()) rest += "\n";
  return fmt::format("ALTER TABLE ONLY {} ADD CONSTRAINT {} {} USING INDEX {}{}{};\n{}", m[1].str(),
                     m[2].str(), m[3].str(), index.index_name,
                     index.deferrable ? " DEFERRABLE" : "",
                     index.deferred ? " INITIALLY DEFERRED" : "", rest);
}

std::string not_valid_sql(const ddl::DdlItem& item, std::string& table, std::string& name,
                          std::string& referenced) {
  static const std::regex re("^\\s*ALTER TABLE ONLY (" + ddl::qualified_name_pattern() +
                             ")\\s+ADD CONSTRAINT (" + ddl::kSqlNamePattern +
                             ") FOREIGN KEY \\(.*?\\) REFERENCES (" +
                             ddl::qualified_name_pattern() + ")\\(");
  std::smatch m;
  if (!std::regex_search(item.sql, m, re)) return {};
  if (item.sql.find("NOT VALID") != std::string::npos) return {};  // stays NOT VALID
  size_t last = item.sql.rfind(';');
  // One statement only: anything more is not what pg_dump writes for a key.
  if (last == std::string::npos || item.sql.find(';') != last) return {};
  table = m[1].str();
  name = m[2].str();
  referenced = m[3].str();
  return item.sql.substr(0, last) + " NOT VALID" + item.sql.substr(last);
}

namespace {

DdlUnit single(std::string key, ddl::DdlItem item, std::string done_if = {}) {
  DdlUnit u;
  u.steps.push_back({std::move(key), std::move(item), std::move(done_if)});
  return u;
}

// A PRIMARY KEY / UNIQUE item: a build unit plus an attach step, or the
// item itself as a build when USING INDEX cannot express it.
void plan_constraint(const ddl::DdlItem& item, const UniqueIndexes& uniques, TablePost& post) {
  std::string key = "post:" + ddl::item_label(item);
  auto it = uniques.find(item.schema + "\n" + item.name);
  std::string why = "not a primary key or unique constraint (e.g. an exclusion constraint)";
  std::string attach = it == uniques.end() ? "" : attach_sql(item, it->second, why);
  if (attach.empty()) {
    log::info("{}: built by its own ALTER TABLE (one at a time on its table): {}",
              ddl::item_label(item), why);
    post.builds.push_back(single(key, item));
    return;
  }
  ddl::DdlItem build = item;
  build.sql = it->second.index_def + ";\n";
  post.builds.push_back(single("post:build:" + ddl::item_label(item), build));
  ddl::DdlItem attached = item;
  attached.sql = attach;
  std::string index = pg::quote_literal(it->second.index_qualified);
  std::string done_if = fmt::format(
      "SELECT 1 FROM pg_catalog.pg_constraint WHERE contype IN ('p', 'u') "
      "AND conrelid = {}::regclass AND conindid = pg_catalog.to_regclass({})",
      pg::quote_literal(item.table), index);
  post.finish.steps.push_back({key, attached, done_if});
}

}  // namespace

void leave_out_publications(ddl::DdlScript& post, const std::vector<std::string>& names) {
  std::erase_if(post.items, [&](const ddl::DdlItem& item) {
    return std::any_of(names.begin(), names.end(), [&](const std::string& name) {
      return (item.type == "PUBLICATION" && item.name == name) ||
             (item.type == "PUBLICATION TABLE" && item.name.rfind(name + " ", 0) == 0);
    });
  });
}

std::vector<DdlStep> take_index_builds(TablePost& post, const std::vector<std::string>& names) {
  std::vector<DdlStep> taken;
  std::erase_if(post.builds, [&](const DdlUnit& unit) {
    bool chosen =
        unit.steps.size() == 1 && unit.steps.front().item.type == "INDEX" &&
        std::find(names.begin(), names.end(), unit.steps.front().item.name) != names.end();
    if (chosen) taken.push_back(unit.steps.front());
    return chosen;
  });
  return taken;
}

PostDataPlan plan_post_data(const ddl::DdlScript& post, const std::vector<std::string>& tables,
                            const UniqueIndexes& uniques, const PostDataOptions& options) {
  std::set<std::string> planned(tables.begin(), tables.end());
  PostDataPlan plan;
  std::vector<ddl::DdlItem> fks;
  for (const auto& item : post.items) {
    std::string key = "post:" + ddl::item_label(item);
    if (!item.table.empty() && planned.count(item.table)) {
      TablePost& p = plan.by_table[item.table];
      if (item.type == "INDEX") {
        p.builds.push_back(single(key, item));
      } else if (item.type == "CONSTRAINT") {
        plan_constraint(item, uniques, p);
      } else {
        p.finish.steps.push_back({key, item, ""});
      }
      continue;
    }
    if (!ddl::is_foreign_key(item)) {
      plan.serial.push_back(item);
      continue;
    }
    std::string table, name, referenced;
    std::string added = not_valid_sql(item, table, name, referenced);
    if (added.empty() || !planned.count(table) || options.partitioned.count(referenced)) {
      fks.push_back(item);
      continue;
    }
    ddl::DdlItem add = item;
    add.sql = added;
    ddl::DdlItem validate{item.type, item.schema, item.name,
                          fmt::format("ALTER TABLE ONLY {} VALIDATE CONSTRAINT {};\n", table, name),
                          ""};
    DdlUnit check = single("post:validate:" + ddl::item_label(item), validate);
    if (options.defer_validation) check.steps.clear();
    if (planned.count(referenced)) {
      check.steps.insert(check.steps.begin(), DdlStep{key, add, ""});
      plan.linked.push_back({table, referenced, std::move(check)});
      continue;
    }
    fks.push_back(add);
    if (!check.steps.empty()) plan.validations.push_back(std::move(check));
  }
  plan.serial.insert(plan.serial.end(), fks.begin(), fks.end());
  if (options.analyze) {
    for (const auto& t : tables) {
      ddl::DdlItem analyze{"ANALYZE", "-", t, "ANALYZE " + t + ";\n", t};
      plan.by_table[t].finish.steps.push_back({"analyze:" + t, analyze, ""});
    }
  }
  return plan;
}

}  // namespace pgshuttle::copy
