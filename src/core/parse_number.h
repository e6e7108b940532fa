// Whole-string decimal parsing for text that comes from outside the program
// (a server's header or catalog value, a URL, a state file): nullopt for
// anything but an optional '-' and digits that fit, never an exception.
// std::sto* throws on such input, and an uncaught throw aborts a run and
// leaves its transfer Running; use these instead.
//
// Thread safety: pure functions.
#pragma once

#include <charconv>
#include <cstdint>
#include <optional>
#include <string_view>

namespace pgshuttle {

template <typename T>
std::optional<T> parse_number(std::string_view text) {
  T value{};
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}

inline std::optional<uint64_t> parse_u64(std::string_view text) {
  return parse_number<uint64_t>(text);
}
inline std::optional<int64_t> parse_i64(std::string_view text) {
  return parse_number<int64_t>(text);
}

}  // namespace pgshuttle
