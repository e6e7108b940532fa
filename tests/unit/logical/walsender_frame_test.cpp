// The walsender's CopyData framing ('w' XLogData, 'k' keepalive), the
// standby status update ('r') byte for byte, and the Lsn text form.
#include "logical/walsender_frame.h"

#include <gtest/gtest.h>

#include "logical/lsn.h"
#include "logical/replication_stream.h"
#include "wire_builder.h"

namespace pgshuttle::logical {
namespace {

using test::WireBuilder;

TEST(WalSenderFrame, XLogDataViewsItsPayload) {
  auto bytes = WireBuilder().byte('w').u64(0x1000).u64(0x2000).u64(42).raw("E").bytes();
  auto r = decode_walsender_frame(bytes);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  const auto& x = std::get<XLogData>(*r);
  EXPECT_EQ(x.wal_start, Lsn{0x1000});
  EXPECT_EQ(x.wal_end, Lsn{0x2000});
  EXPECT_EQ(x.send_time, 42);
  EXPECT_EQ(x.payload, "E");
  EXPECT_EQ(x.payload.data(), bytes.data() + 25);
}

TEST(WalSenderFrame, Keepalive) {
  auto r = decode_walsender_frame(WireBuilder().byte('k').u64(0xABCDEF).u64(7).byte(1).bytes());
  ASSERT_TRUE(r.ok());
  const auto& k = std::get<PrimaryKeepalive>(*r);
  EXPECT_EQ(k.wal_end, Lsn{0xABCDEF});
  EXPECT_EQ(k.send_time, 7);
  EXPECT_TRUE(k.reply_requested);
  auto quiet = decode_walsender_frame(WireBuilder().byte('k').u64(1).u64(2).byte(0).bytes());
  ASSERT_TRUE(quiet.ok());
  EXPECT_FALSE(std::get<PrimaryKeepalive>(*quiet).reply_requested);
}

TEST(WalSenderFrame, TruncatedOrUnknownFramesAreErrors) {
  auto keepalive = WireBuilder().byte('k').u64(1).u64(2).byte(0).bytes();
  auto xlog = WireBuilder().byte('w').u64(1).u64(2).u64(3).bytes();  // empty payload is legal
  ASSERT_TRUE(decode_walsender_frame(xlog).ok());
  for (const auto& bytes : {keepalive, xlog}) {
    for (size_t n = 0; n < bytes.size(); ++n) {
      auto r = decode_walsender_frame(std::string_view(bytes).substr(0, n));
      ASSERT_FALSE(r.ok()) << bytes[0] << " cut to " << n;
      EXPECT_NE(r.error().context.find("byte offset"), std::string::npos);
    }
  }
  EXPECT_FALSE(decode_walsender_frame(keepalive + "x").ok());
  auto unknown = decode_walsender_frame("d");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().message.find("unknown frame type 0x64"), std::string::npos);
}

TEST(WalSenderFrame, StandbyStatusUpdateLayout) {
  StandbyStatus s;
  s.written = Lsn{0x0102030405060708};
  s.flushed = Lsn{0x1112131415161718};
  s.applied = Lsn{0x2122232425262728};
  s.client_time = 0x3132333435363738;
  s.reply_requested = true;
  auto expected = WireBuilder()
                      .byte('r')
                      .u64(0x0102030405060708)
                      .u64(0x1112131415161718)
                      .u64(0x2122232425262728)
                      .u64(0x3132333435363738)
                      .byte(1)
                      .bytes();
  EXPECT_EQ(encode_standby_status(s), expected);
  EXPECT_EQ(encode_standby_status(s).size(), 34u);
  s.reply_requested = false;
  EXPECT_EQ(encode_standby_status(s).back(), '\0');
}

TEST(WalSenderFrame, PgNowCountsFrom2000) {
  // 2026 is more than 26 years of microseconds after 2000-01-01.
  EXPECT_GT(pg_now(), int64_t{26} * 365 * 86400 * 1000000);
  EXPECT_LT(pg_now(), int64_t{200} * 365 * 86400 * 1000000);
}

TEST(Lsn, ParseAndFormat) {
  auto l = Lsn::parse("16/B374D848");
  ASSERT_TRUE(l);
  EXPECT_EQ(l->value, 0x16B374D848u);
  EXPECT_EQ(l->to_string(), "16/B374D848");
  EXPECT_EQ(Lsn::parse("0/16b3748")->to_string(), "0/16B3748");
  EXPECT_EQ(Lsn::parse("FFFFFFFF/FFFFFFFF")->value, UINT64_MAX);
  EXPECT_EQ(Lsn{}.to_string(), "0/0");
  EXPECT_FALSE(Lsn{}.valid());
  for (const char* bad : {"", "/", "0/", "/0", "1", "G/0", "0/0/0", "123456789/0", "-1/0", "+1/0",
                          "0x1/0", " 1/0", "1/0 "}) {
    EXPECT_FALSE(Lsn::parse(bad)) << bad;
  }
  EXPECT_LT(*Lsn::parse("0/FFFFFFFF"), *Lsn::parse("1/0"));
}

TEST(ReplicationStream, SlotNamesAsTheServerAllows) {
  EXPECT_TRUE(valid_slot_name("shuttle_1"));
  EXPECT_TRUE(valid_slot_name("0abc"));
  EXPECT_TRUE(valid_slot_name(std::string(63, 'a')));
  for (const char* bad : {"", "Upper", "with-dash", "sp ace", "quote\"", "semi;colon"}) {
    EXPECT_FALSE(valid_slot_name(bad)) << bad;
  }
  EXPECT_FALSE(valid_slot_name(std::string(64, 'a')));
}

}  // namespace
}  // namespace pgshuttle::logical
