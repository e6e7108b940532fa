// Shared setup of the storage integration tests: the rig's S3 server
// (Swift + s3api, verifying SigV4), its credentials in the environment, a
// fresh bucket per test, and random data.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <memory>
#include <random>
#include <string>

#include "rig/rig.h"
#include "storage/s3_client.h"
#include "storage/storage.h"

namespace pgshuttle::storage::testing {

// Exports the rig's AWS_* variables so the credentials chain finds them.
inline void export_rig_credentials() {
  for (const char* k : {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION"}) {
    ::setenv(k, rig::env(k).c_str(), 1);
  }
  ::unsetenv("AWS_SESSION_TOKEN");
  ::unsetenv("AWS_PROFILE");
}

// Options for the rig: its endpoint, no SSE (Swift's s3api has none), 5 MiB parts.
inline S3Options rig_options(const std::string& endpoint = "") {
  S3Options o;
  o.endpoint = endpoint.empty() ? rig::env("S3_ENDPOINT") : endpoint;
  o.sse.clear();
  o.min_part_size = 5u << 20;
  return o;
}

inline std::string random_bytes(size_t n, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::string out(n, '\0');
  for (size_t i = 0; i + 8 <= n; i += 8) {
    uint64_t v = rng();
    std::memcpy(out.data() + i, &v, 8);
  }
  for (size_t i = n - n % 8; i < n; ++i) out[i] = static_cast<char>(rng());
  return out;
}

class S3RigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    export_rig_credentials();
    options_ = rig_options();
    auto c = S3Client::create(options_);
    ASSERT_TRUE(c.ok()) << c.error().to_string();
    client_ = *c;
    std::string name = rig::unique_name("st");
    for (auto& ch : name) ch = ch == '_' ? '-' : ch;
    bucket_ = name;
    auto s = client_->create_bucket(bucket_);
    ASSERT_TRUE(s.ok()) << s.error().to_string();
  }
  std::string url(const std::string& key) const { return "s3://" + bucket_ + "/" + key; }

  // Writes `data` through open_sink() in `chunk`-sized writes and commits.
  void upload(const std::string& key, const std::string& data, size_t chunk = 1 << 20) {
    auto sink = open_sink(url(key), options_);
    ASSERT_TRUE(sink.ok()) << sink.error().to_string();
    for (size_t i = 0; i < data.size(); i += chunk) {
      ASSERT_TRUE((*sink)->write(std::string_view(data).substr(i, chunk)).ok());
    }
    auto s = (*sink)->commit();
    ASSERT_TRUE(s.ok()) << s.error().to_string();
  }

  // Reads a whole source through its stream.
  static std::string read_all(ByteSource& source) {
    auto stream = source.open_stream(0);
    EXPECT_TRUE(stream.ok());
    if (!stream.ok()) return {};
    std::string out, buf(1 << 20, '\0');
    for (;;) {
      auto n = (*stream)->read(buf.data(), buf.size());
      EXPECT_TRUE(n.ok()) << n.error().to_string();
      if (!n.ok() || *n == 0) break;
      out.append(buf.data(), *n);
    }
    return out;
  }

  S3Options options_;
  std::shared_ptr<S3Client> client_;
  std::string bucket_;
};

}  // namespace pgshuttle::storage::testing
