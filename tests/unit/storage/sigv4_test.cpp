// The AWS SigV4 test suite (tests/data/aws-sigv4-testsuite), byte for byte:
// canonical request, string to sign and Authorization header; plus S3's own
// presigned-URL example.
#include "storage/sigv4.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "storage/crypto.h"

namespace pgshuttle::storage {
namespace {

namespace fs = std::filesystem;
const fs::path kSuite = fs::path(PGSHUTTLE_TESTDATA) / "aws-sigv4-testsuite";

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Parses a .req file: request line, headers (continuation lines start with
// whitespace), a blank line, then the body.
SigningRequest parse_req(const std::string& text) {
  SigningRequest r;
  std::istringstream in(text);
  std::string line;
  std::getline(in, line);
  size_t sp1 = line.find(' '), sp2 = line.rfind(' ');
  r.method = line.substr(0, sp1);
  std::string target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  size_t q = target.find('?');
  r.path = target.substr(0, q);
  if (q != std::string::npos) {
    std::istringstream qs(target.substr(q + 1));
    for (std::string kv; std::getline(qs, kv, '&');) {
      size_t eq = kv.find('=');
      r.query.emplace_back(uri_decode(kv.substr(0, eq)),
                           eq == std::string::npos ? "" : uri_decode(kv.substr(eq + 1)));
    }
  }
  while (std::getline(in, line) && !line.empty()) {
    if (line[0] == ' ' || line[0] == '\t') {
      r.headers.back().second += " " + line;
      continue;
    }
    size_t colon = line.find(':');
    r.headers.emplace_back(line.substr(0, colon), line.substr(colon + 1));
  }
  std::string body((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  r.payload_hash = sha256_hex(body);
  return r;
}

const Credentials kSuiteCredentials{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""};

std::string strip_cr(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

// get-vanilla-with-session-token.req lacks the X-Amz-Security-Token header
// that its .creq and .sreq carry (an upstream defect): take it from .sreq.
void add_missing_token(SigningRequest& req, const fs::path& base) {
  for (const auto& h : req.headers) {
    if (h.first == "X-Amz-Security-Token") return;
  }
  std::istringstream sreq(slurp(base.string() + ".sreq"));
  for (std::string line; std::getline(sreq, line);) {
    if (line.rfind("X-Amz-Security-Token:", 0) == 0) {
      req.headers.emplace_back("X-Amz-Security-Token", line.substr(21));
      if (base.filename() != "post-sts-header-after") return;
      req.headers.pop_back();  // added after signing in this case, by design
    }
  }
}

}  // namespace

// Every case of the suite is run; none is skipped. The .sreq files are not
// compared: they repeat .authz inside a raw request (and the upstream
// get-vanilla-with-session-token.sreq carries a signature that matches
// nothing, a known defect of the published suite). normalize-path/ cases run
// with path normalisation on, as for any non-S3 service; S3 requests never
// normalise (see S3KeysAreNotNormalised). post-sts-header-after signs without
// the token header, which is added after signing, exactly as its .req says.
TEST(SigV4Suite, EveryCaseMatchesByteForByte) {
  int cases = 0;
  for (const auto& entry : fs::recursive_directory_iterator(kSuite)) {
    if (entry.path().extension() != ".req") continue;
    fs::path base = entry.path();
    base.replace_extension();
    SCOPED_TRACE(base.filename().string());
    SigningRequest req = parse_req(slurp(entry.path()));
    add_missing_token(req, base);
    SigningScope scope{"20150830T123600Z", "us-east-1", "service", true};
    Signature sig = sign(req, scope, kSuiteCredentials);
    EXPECT_EQ(sig.canonical_request, strip_cr(slurp(base.string() + ".creq")));
    EXPECT_EQ(sig.string_to_sign, strip_cr(slurp(base.string() + ".sts")));
    EXPECT_EQ(sig.authorization, strip_cr(slurp(base.string() + ".authz")));
    ++cases;
  }
  EXPECT_EQ(cases, 34);
}

TEST(SigV4Suite, S3KeysAreNotNormalised) {
  SigningRequest req;
  req.path = "/bucket/my-object//example//photo.user";
  req.headers = {{"host", "s3.amazonaws.com"}};
  SigningScope scope{"20150830T123600Z", "us-east-1", "s3", false};
  Signature sig = sign(req, scope, kSuiteCredentials);
  EXPECT_NE(sig.canonical_request.find("\n/bucket/my-object//example//photo.user\n"),
            std::string::npos);
}

// Amazon S3 API reference, "Authenticating Requests: Using Query Parameters".
TEST(SigV4Presign, S3DocumentationExample) {
  Credentials creds{"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""};
  SigningRequest req;
  req.path = "/test.txt";
  SigningScope scope{"20130524T000000Z", "us-east-1", "s3", false};
  std::string url = presign("https://examplebucket.s3.amazonaws.com", req, scope, creds,
                            std::chrono::seconds(86400));
  EXPECT_EQ(url,
            "https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256"
            "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request"
            "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
            "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404");
}

TEST(SigV4Presign, SessionTokenIsSignedAndEncoded) {
  Credentials creds{"AKIDEXAMPLE", "secret", "tok/en+=="};
  SigningRequest req;
  req.path = "/b/k";
  SigningScope scope{"20130524T000000Z", "eu-west-3", "s3", false};
  std::string url = presign("http://127.0.0.1:9000", req, scope, creds, std::chrono::seconds(60));
  EXPECT_NE(url.find("X-Amz-Security-Token=tok%2Fen%2B%3D%3D"), std::string::npos);
  EXPECT_NE(url.find("%2Feu-west-3%2Fs3%2F"), std::string::npos);
  // The same request without the token must sign differently.
  std::string plain = presign("http://127.0.0.1:9000", req, scope, {"AKIDEXAMPLE", "secret", ""},
                              std::chrono::seconds(60));
  EXPECT_NE(url.substr(url.find("X-Amz-Signature=")), plain.substr(plain.find("X-Amz-Signature=")));
}

TEST(SigV4Headers, UnsignedPayloadAndTokenHeaders) {
  SigningRequest req;
  req.method = "PUT";
  req.path = "/bucket/a key";
  req.headers = {{"host", "127.0.0.1:9000"}};
  req.payload_hash = std::string(kUnsignedPayload);
  SigningScope scope{"20150830T123600Z", "us-east-1", "s3", false};
  Signature sig = sign_headers(req, scope, {"AK", "SECRET", "TOKEN"});
  EXPECT_EQ(sig.signed_headers, "host;x-amz-content-sha256;x-amz-date;x-amz-security-token");
  EXPECT_NE(sig.canonical_request.find("/bucket/a%20key\n"), std::string::npos);
  EXPECT_EQ(sig.canonical_request.substr(sig.canonical_request.size() - 16), "UNSIGNED-PAYLOAD");
  EXPECT_EQ(req.headers.back().first, "Authorization");
}

TEST(SigV4Encoding, UriEncodeKeepsOnlyUnreserved) {
  EXPECT_EQ(uri_encode("a b/c~d+e=", true), "a%20b/c~d%2Be%3D");
  EXPECT_EQ(uri_encode("a/b", false), "a%2Fb");
  EXPECT_EQ(uri_decode("%E1%88%B4+x"), "\xE1\x88\xB4+x");
}

}  // namespace pgshuttle::storage
