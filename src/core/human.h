// Human-readable figures: sizes in IEC units ("1.5 GiB"), durations
// ("2m05s"), and parsing of sizes and durations given on the command line
// ("256MB", "5m", "7d").
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pgshuttle {

std::string human_bytes(uint64_t bytes);
std::string human_duration(std::chrono::duration<double> d);
// Parses "90", "90s", "5m", "2h", "7d" into seconds; nullopt when malformed.
std::optional<std::chrono::seconds> parse_duration(std::string_view text);
// Parses "4096", "256K", "256MB", "1.5GiB" (binary multiples) into bytes;
// nullopt when malformed or negative.
std::optional<int64_t> parse_size(std::string_view text);

}  // namespace pgshuttle
