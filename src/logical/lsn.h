// Lsn: a position in PostgreSQL's write-ahead log (an XLogRecPtr), written
// "X/Y" as the server prints it: the upper and lower 32 bits in hexadecimal.
// The logical stream, the slot's positions and pg_current_wal_lsn() all
// speak in these, so they are compared and printed with one type.
//
// Thread safety: plain value type.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pgshuttle::logical {

struct Lsn {
  uint64_t value = 0;

  // "16/B374D848" (either case, 1 to 8 hex digits each side); nullopt for
  // anything else.
  static std::optional<Lsn> parse(std::string_view text);
  // Upper-case hex without leading zeros on either side, as the server
  // prints it ("0/16B3748").
  std::string to_string() const;
  bool valid() const { return value != 0; }  // 0/0 is InvalidXLogRecPtr

  // NOLINTNEXTLINE(modernize-use-nullptr): clang-tidy 14 misreads a defaulted <=>
  auto operator<=>(const Lsn&) const = default;
};

}  // namespace pgshuttle::logical
