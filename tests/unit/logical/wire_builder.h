// WireBuilder: writes the replication protocol's big-endian integers and
// NUL-terminated strings by hand, so the decoder's tests build their input
// from the documented layout rather than from the decoder's own code.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace pgshuttle::logical::test {

class WireBuilder {
 public:
  WireBuilder& byte(uint8_t v) {
    out_ += static_cast<char>(v);
    return *this;
  }
  WireBuilder& u16(uint16_t v) { return be(v, 2); }
  WireBuilder& u32(uint32_t v) { return be(v, 4); }
  WireBuilder& u64(uint64_t v) { return be(v, 8); }
  WireBuilder& str(std::string_view s) {
    out_ += s;
    out_ += '\0';
    return *this;
  }
  WireBuilder& raw(std::string_view s) {
    out_ += s;
    return *this;
  }
  // A tuple column in text form: 't', Int32 length, bytes.
  WireBuilder& text(std::string_view s) {
    byte('t').u32(static_cast<uint32_t>(s.size()));
    return raw(s);
  }
  WireBuilder& binary(std::string_view s) {
    byte('b').u32(static_cast<uint32_t>(s.size()));
    return raw(s);
  }
  const std::string& bytes() const { return out_; }

 private:
  WireBuilder& be(uint64_t v, int n) {
    for (int i = n - 1; i >= 0; --i) out_ += static_cast<char>((v >> (8 * i)) & 0xFF);
    return *this;
  }
  std::string out_;
};

}  // namespace pgshuttle::logical::test
