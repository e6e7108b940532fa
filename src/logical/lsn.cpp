#include "logical/lsn.h"

#include <fmt/format.h>

#include <charconv>

namespace pgshuttle::logical {
namespace {

std::optional<uint32_t> parse_hex32(std::string_view text) {
  if (text.empty() || text.size() > 8) return std::nullopt;
  uint32_t value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value, 16);
  if (ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}

}  // namespace

std::optional<Lsn> Lsn::parse(std::string_view text) {
  size_t slash = text.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  auto high = parse_hex32(text.substr(0, slash));
  auto low = parse_hex32(text.substr(slash + 1));
  if (!high || !low) return std::nullopt;
  return Lsn{(static_cast<uint64_t>(*high) << 32) | *low};
}

std::string Lsn::to_string() const {
  return fmt::format("{:X}/{:X}", static_cast<uint32_t>(value >> 32),
                     static_cast<uint32_t>(value & 0xFFFFFFFFu));
}

}  // namespace pgshuttle::logical
