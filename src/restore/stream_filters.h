// Byte transforms applied while streaming a plain-SQL dump into psql:
// GzipInflater undoes .sql.gz in-process (zlib), and PlainSqlFilter drops
// the ownership and privilege statements a managed target cannot run
// (ALTER ... OWNER TO, GRANT, REVOKE), leaving COPY data untouched.
//
// Thread safety: one thread per object.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"

struct z_stream_s;

namespace pgshuttle::restore {

class GzipInflater {
 public:
  GzipInflater();
  ~GzipInflater();
  GzipInflater(const GzipInflater&) = delete;
  GzipInflater& operator=(const GzipInflater&) = delete;

  // Inflates `in`, returning what it produced (kArchive on corrupt data).
  // A file of several concatenated members inflates to all of them.
  Result<std::string> feed(std::string_view in);
  // True at the end of a member with nothing but zero padding after it.
  bool finished() const { return finished_; }

 private:
  std::unique_ptr<z_stream_s> z_;
  bool finished_ = false;
};

class PlainSqlFilter {
 public:
  PlainSqlFilter(bool keep_owner, bool keep_acl) : keep_owner_(keep_owner), keep_acl_(keep_acl) {}
  // Returns the complete lines of `in` (plus what was buffered) that pass.
  std::string feed(std::string_view in);
  // Returns whatever partial line is left at the end.
  std::string finish();
  // Statements dropped so far.
  size_t dropped() const { return dropped_; }

 private:
  bool keep(std::string_view line);

  bool keep_owner_;
  bool keep_acl_;
  bool in_copy_ = false;
  std::string partial_;
  size_t dropped_ = 0;
};

}  // namespace pgshuttle::restore
