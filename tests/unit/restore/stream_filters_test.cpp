#include "restore/stream_filters.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include "restore/source_format.h"

namespace pgshuttle::restore {
namespace {

std::string gzip(const std::string& in) {
  z_stream z{};
  deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
  std::string out(in.size() + 1024, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

TEST(GzipInflater, InflatesInSmallPiecesAndSeesTheEnd) {
  std::string text;
  for (int i = 0; i < 5000; ++i) text += "INSERT INTO t VALUES (" + std::to_string(i) + ");\n";
  std::string gz = gzip(text);
  GzipInflater inflater;
  std::string out;
  for (size_t i = 0; i < gz.size(); i += 777) {
    auto part = inflater.feed(std::string_view(gz).substr(i, 777));
    ASSERT_TRUE(part.ok());
    out += *part;
  }
  EXPECT_TRUE(inflater.finished());
  EXPECT_EQ(out, text);
}

TEST(GzipInflater, TruncatedAndCorruptInput) {
  std::string gz = gzip(std::string(100000, 'x') + "end");
  GzipInflater truncated;
  ASSERT_TRUE(truncated.feed(std::string_view(gz).substr(0, gz.size() / 2)).ok());
  EXPECT_FALSE(truncated.finished());
  std::string bad = gz;
  for (size_t i = 12; i < 40; ++i) bad[i] = static_cast<char>(0xff);
  GzipInflater corrupt;
  auto r = corrupt.feed(bad);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kArchive);
}

// gzip -c a.sql > d.sql.gz; gzip -c b.sql >> d.sql.gz: gunzip gives both
// parts, so restore must too (it used to stop after the first member and
// report success). Zero padding after the last member is ignored.
TEST(GzipInflater, ConcatenatedMembersInflateToAllOfThem) {
  std::string first = "CREATE TABLE a (id int);\n", second = "INSERT INTO a VALUES (1);\n";
  std::string gz = gzip(first) + gzip(second) + std::string(64, '\0');
  for (size_t piece : {size_t{1}, size_t{7}, gz.size()}) {
    GzipInflater z;
    std::string out;
    for (size_t at = 0; at < gz.size(); at += piece) {
      auto part = z.feed(std::string_view(gz).substr(at, piece));
      ASSERT_TRUE(part.ok()) << piece << ": " << part.error().to_string();
      out += *part;
    }
    EXPECT_EQ(out, first + second) << piece;
    EXPECT_TRUE(z.finished());
  }
  GzipInflater z;
  auto cut = z.feed(gz.substr(0, gzip(first).size() + 10));
  ASSERT_TRUE(cut.ok());
  EXPECT_FALSE(z.finished()) << "a second member cut short is not the end";
  GzipInflater bad;
  auto garbage = bad.feed(gzip(first) + "trailing text");
  EXPECT_FALSE(garbage.ok());
}

TEST(PlainSqlFilter, DropsOwnerAndAclOutsideCopyData) {
  std::string in =
      "CREATE TABLE t (a text);\n"
      "ALTER TABLE public.t OWNER TO postgres;\n"
      "COPY public.t (a) FROM stdin;\n"
      "ALTER TABLE x OWNER TO y;\n"
      "GRANT ALL\n"
      "\\.\n"
      "GRANT SELECT ON TABLE public.t TO reader;\n"
      "REVOKE ALL ON SCHEMA public FROM PUBLIC;\n"
      "SELECT 1;";
  PlainSqlFilter filter(false, false);
  std::string out;
  for (size_t i = 0; i < in.size(); i += 5) out += filter.feed(in.substr(i, 5));
  out += filter.finish();
  EXPECT_EQ(out,
            "CREATE TABLE t (a text);\n"
            "COPY public.t (a) FROM stdin;\n"
            "ALTER TABLE x OWNER TO y;\n"
            "GRANT ALL\n"
            "\\.\n"
            "SELECT 1;");
  EXPECT_EQ(filter.dropped(), 3u);
  PlainSqlFilter keep(true, true);
  std::string kept = keep.feed(in);
  kept += keep.finish();
  EXPECT_EQ(kept, in);
}

TEST(SourceFormat, DetectsFromFirstBytes) {
  EXPECT_EQ(detect_format("PGDMP\x01\x0f\x00"), SourceFormat::kCustom);
  EXPECT_EQ(detect_format(gzip("SELECT 1;")), SourceFormat::kGzipSql);
  std::string tar(512, '\0');
  tar.replace(257, 5, "ustar");
  EXPECT_EQ(detect_format(tar), SourceFormat::kTar);
  EXPECT_EQ(detect_format("--\n-- PostgreSQL database dump\n"), SourceFormat::kPlainSql);
}

// Plain SQL is recognised, not assumed: anything else would be fed to psql.
TEST(SourceFormat, PlainSqlOnlyWhenItReadsAsSql) {
  EXPECT_EQ(detect_format("\\restrict abc123\n\n--\n-- PostgreSQL database dump\n"),
            SourceFormat::kPlainSql);
  EXPECT_EQ(detect_format("SET statement_timeout = 0;\nSET lock_timeout = 0;\n"),
            SourceFormat::kPlainSql);
  EXPECT_EQ(detect_format("/* made by hand */\n  create table t (a int);"),
            SourceFormat::kPlainSql);
  EXPECT_EQ(detect_format("\xEF\xBB\xBF"
                          "BEGIN;\nINSERT INTO t VALUES ('gr\xC3\xB6\xC3\x9F');"),
            SourceFormat::kPlainSql);
  EXPECT_EQ(detect_format("-- a long header comment that the head ends insi"),
            SourceFormat::kPlainSql);
  // /etc/services, a random binary file, prose, a NUL in otherwise SQL text.
  EXPECT_EQ(detect_format("# Network services, Internet style\n#\ntcpmux 1/tcp\n"),
            SourceFormat::kUnknown);
  std::string binary;
  for (int i = 0; i < 512; ++i) binary += static_cast<char>((i * 7919 + 13) % 256);
  EXPECT_EQ(detect_format(binary), SourceFormat::kUnknown);
  EXPECT_EQ(detect_format("hello world\n"), SourceFormat::kUnknown);
  EXPECT_EQ(detect_format(std::string("SELECT 1;\0\0", 12)), SourceFormat::kUnknown);
}

}  // namespace
}  // namespace pgshuttle::restore
