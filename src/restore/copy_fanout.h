// CopyFanout: one table's COPY text, read once from the archive, cut into
// batches of whole rows for several target sessions (a split load: each
// session runs its own COPY of the same table, so the target parses and
// inserts the table's rows on several cores).
//
// A batch always ends at a row's end: in COPY text a row ends at its first
// unescaped newline, and a newline inside a value is written as "\n", so
// every raw newline ends a row. Batches go to the sessions in turn. The
// end-of-data line "\." that pg_dump writes after the rows, and the padding
// after it, go to no session: a session given a lone newline would read it as
// a row (an empty first column).
//
// Thread safety: one instance per load, used from one thread.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace pgshuttle::restore {

class CopyFanout {
 public:
  // Sends `rows` (whole rows) to session `session` (0 ... sessions-1).
  using Send = std::function<Status(int session, std::string_view rows)>;

  CopyFanout(int sessions, size_t batch_bytes, Send send)
      : sessions_(sessions < 1 ? 1 : sessions), batch_bytes_(batch_bytes), send_(std::move(send)) {}

  // Takes the next bytes of the COPY text; sends each batch that is full.
  Status feed(std::string_view data);
  // Sends what is left (a last row without its newline included).
  Status finish();

 private:
  Status send_batch(size_t length);

  int sessions_;
  size_t batch_bytes_;
  Send send_;
  std::string pending_;  // starts at a row's start
  int next_ = 0;
  bool ended_ = false;  // the end-of-data line was seen: the rest is padding
  // A row longer than a batch: how far its end was looked for already.
  size_t long_row_scanned_ = 0;
};

}  // namespace pgshuttle::restore
