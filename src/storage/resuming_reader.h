// Reading a remote object with ranged GETs that survive dropped connections:
// when a transfer ends early, the next request asks for the bytes from the
// last one received (Range: bytes=N-) instead of starting over.
//
// The stream runs the GET on a background thread that fills a bounded queue
// (at most kStreamBuffer bytes), so read() keeps the ByteStream pull model
// while libcurl pushes.
//
// Thread safety: a stream belongs to one reader thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"
#include "storage/byte_source.h"

namespace pgshuttle::storage {

inline constexpr size_t kStreamBuffer = 16u << 20;

using DataSink = std::function<bool(std::string_view)>;
// One GET of bytes [first, last] (inclusive) delivered to the sink. Returns
// an error when the transfer failed; delivered bytes stay delivered.
using RangeGet = std::function<Status(uint64_t first, uint64_t last, const DataSink& sink)>;

// Exactly the bytes [offset, offset + length) of an object of `size` bytes
// (fewer only past its end), resuming after dropped connections.
Result<std::string> read_range_resuming(const RangeGet& get, uint64_t size, uint64_t offset,
                                        uint64_t length);

// A stream over [offset, size), resuming after dropped connections.
std::unique_ptr<ByteStream> open_resuming_stream(RangeGet get, uint64_t size, uint64_t offset);

// Calls `get` from `offset` until `end` bytes were delivered; gives up after
// kMaxResumes attempts that brought nothing new.
Status fetch_resuming(const RangeGet& get, uint64_t offset, uint64_t end, const DataSink& sink);

}  // namespace pgshuttle::storage
