// TocList: the table of contents of a pg_dump archive as `pg_restore -l`
// prints it, and the edits a managed target needs before `pg_restore -L`:
// event triggers (superuser only) and provider-only objects (the
// aiven_extras extension, the heroku_ext schema and what lives in it) are
// commented out, each with a warning.
//
// Thread safety: plain value type.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace pgshuttle::restore {

struct TocEntry {
  std::string line;    // the list line as printed
  std::string desc;    // "TABLE", "TABLE DATA", "EVENT TRIGGER", "COMMENT", ...
  std::string schema;  // "-" when none
  std::string name;    // the tag: "orders", "EXTENSION hstore" for a comment
  bool skipped = false;
  std::string skip_reason;
};

class TocList {
 public:
  // Parses the output of `pg_restore -l`; comment lines are kept verbatim.
  static TocList parse(std::string_view list_text);

  const std::vector<TocEntry>& entries() const { return entries_; }
  // Names of the EXTENSION entries.
  std::vector<std::string> extensions() const;
  // Number of TABLE DATA entries.
  size_t table_data_count() const;

  // Comments out what a non-superuser target cannot or should not restore.
  // Returns one warning per skipped entry.
  std::vector<std::string> skip_managed_unsafe();

  // The list for `pg_restore -L`: skipped entries prefixed with ';'.
  std::string render() const;

 private:
  std::vector<TocEntry> entries_;
};

}  // namespace pgshuttle::restore
