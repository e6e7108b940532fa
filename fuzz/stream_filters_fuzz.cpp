// libFuzzer target: the filters a plain-SQL restore streams through.
//  - PlainSqlFilter must give the same output however its input is cut into
//    chunks (a network read may end anywhere), and only drop lines.
//  - GzipInflater must reject corrupt input cleanly, and give the same
//    bytes (or fail) whether fed at once or in chunks.
// The first input byte chooses the chunk size; the rest is the data.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "restore/stream_filters.h"

namespace {

using pgshuttle::restore::GzipInflater;
using pgshuttle::restore::PlainSqlFilter;

std::string filter(std::string_view in, size_t chunk, bool keep_owner, bool keep_acl) {
  PlainSqlFilter f(keep_owner, keep_acl);
  std::string out;
  for (size_t at = 0; at < in.size(); at += chunk) out += f.feed(in.substr(at, chunk));
  out += f.finish();
  return out;
}

// Whether every line of `out` appears in `in` in the same order.
bool lines_in_order(std::string_view out, std::string_view in) {
  size_t from = 0;
  while (!out.empty()) {
    size_t nl = out.find('\n');
    std::string_view line = out.substr(0, nl == std::string_view::npos ? out.size() : nl + 1);
    size_t at = in.find(line, from);
    if (at == std::string_view::npos) return false;
    from = at + line.size();
    out.remove_prefix(line.size());
  }
  return true;
}

// The inflated bytes, or nullopt-like failure flag.
std::string inflate(std::string_view in, size_t chunk, bool& ok) {
  GzipInflater z;
  std::string out;
  ok = true;
  // Fed to the end as restore feeds it: finished() at a member's end is not
  // the end of the file when another member follows.
  for (size_t at = 0; at < in.size(); at += chunk) {
    auto part = z.feed(in.substr(at, chunk));
    if (!part.ok()) {
      ok = false;
      return out;
    }
    out += *part;
    if (out.size() > (64u << 20)) break;  // a bomb: enough seen
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  size_t chunk = 1 + data[0] % 97;
  std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
  for (bool owner : {false, true}) {
    std::string whole = filter(in, in.size() + 1, owner, false);
    if (filter(in, chunk, owner, false) != whole) std::abort();
    if (!lines_in_order(whole, in)) std::abort();
  }
  bool ok_whole = false, ok_chunked = false;
  std::string whole = inflate(in, in.size() + 1, ok_whole);
  std::string chunked = inflate(in, chunk, ok_chunked);
  if (ok_whole && ok_chunked && whole.size() < (64u << 20) && whole != chunked) std::abort();
  return 0;
}
