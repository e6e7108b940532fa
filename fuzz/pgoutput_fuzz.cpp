// libFuzzer target: the logical replication decoders must reject any input
// cleanly. Decodes the input as a walsender frame, and as a pgoutput message
// under every protocol context (the first byte picks nothing: all are tried).
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <variant>

#include "logical/pgoutput.h"
#include "logical/walsender_frame.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace pgshuttle::logical;
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto frame = decode_walsender_frame(bytes);
  if (frame.ok()) {
    if (auto* x = std::get_if<XLogData>(&*frame)) (void)decode_pgoutput(x->payload, {2, true});
  }
  for (DecodeContext ctx :
       {DecodeContext{1, false}, DecodeContext{2, false}, DecodeContext{2, true}}) {
    auto m = decode_pgoutput(bytes, ctx);
    if (m.ok()) (void)message_kind(*m);
  }
  return 0;
}
