#include "restore/copy_fanout.h"

#include <algorithm>

namespace pgshuttle::restore {

namespace {

constexpr std::string_view kEndLine = "\\.\n";

// Where the end-of-data line starts in `text` (which starts at a row's
// start), looking no earlier than `from`; npos when it is not there (yet).
size_t find_end_line(std::string_view text, size_t from) {
  if (from == 0 && text.substr(0, kEndLine.size()) == kEndLine) return 0;
  size_t at = text.find("\n\\.\n", from == 0 ? 0 : from - 1);
  return at == std::string_view::npos ? at : at + 1;
}

}  // namespace

Status CopyFanout::send_batch(size_t length) {
  if (length == 0) return ok_status();
  PGS_TRY(send_(next_, std::string_view(pending_.data(), length)));
  pending_.erase(0, length);
  next_ = (next_ + 1) % sessions_;
  return ok_status();
}

Status CopyFanout::feed(std::string_view data) {
  if (ended_ || data.empty()) return ok_status();
  // The end line may straddle two feeds: look again from a few bytes back.
  size_t from = pending_.size() < kEndLine.size() ? 0 : pending_.size() - kEndLine.size();
  pending_.append(data);
  size_t end = find_end_line(pending_, from);
  if (end != std::string::npos) {
    pending_.resize(end);
    ended_ = true;
  }
  while (pending_.size() >= batch_bytes_) {
    // The last row end within a batch's size, or a row longer than a batch
    // whole; not yet whole: wait for its end.
    size_t cut = pending_.rfind('\n', batch_bytes_ - 1);
    if (cut == std::string::npos) {
      // Searched from where the last feed's search ended, so that a row of
      // many feeds is scanned once.
      cut = pending_.find('\n', std::max(batch_bytes_, long_row_scanned_));
      if (cut == std::string::npos) {
        long_row_scanned_ = pending_.size();
        break;
      }
    }
    long_row_scanned_ = 0;
    PGS_TRY(send_batch(cut + 1));
  }
  return ok_status();
}

Status CopyFanout::finish() { return send_batch(pending_.size()); }

}  // namespace pgshuttle::restore
