// The retry policy of HttpClient against a tiny scripted HTTP server on
// loopback (a fault injector, not an S3 imitation): 5xx/429 are retried with
// backoff, other 4xx are not, connection failures are retried a bounded
// number of times.
#include "storage/http_client.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <thread>
#include <vector>

namespace pgshuttle::storage {
namespace {

// Answers the i-th connection with replies[i] (the last one repeats), then closes it.
class ScriptedServer {
 public:
  explicit ScriptedServer(std::vector<std::string> replies) : replies_(std::move(replies)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    EXPECT_EQ(::listen(fd_, 8), 0);
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~ScriptedServer() {
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/b/k"; }
  int requests() const { return requests_; }

 private:
  void serve() {
    for (;;) {
      int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      std::string req;
      char buf[4096];
      while (req.find("\r\n\r\n") == std::string::npos) {
        ssize_t n = ::read(c, buf, sizeof buf);
        if (n <= 0) break;
        req.append(buf, static_cast<size_t>(n));
      }
      size_t i = std::min<size_t>(static_cast<size_t>(requests_++), replies_.size() - 1);
      std::string body = replies_[i].substr(replies_[i].find('|') + 1);
      std::string head = "HTTP/1.1 " + replies_[i].substr(0, replies_[i].find('|')) +
                         "\r\nContent-Length: " + std::to_string(body.size()) +
                         "\r\nConnection: close\r\n\r\n";
      std::string all = head + body;
      if (::write(c, all.data(), all.size()) < 0) {
      }
      ::close(c);
    }
  }
  std::vector<std::string> replies_;
  int fd_ = -1, port_ = 0;
  std::atomic<int> requests_{0};
  std::thread thread_;
};

const RetryPolicy kFast{4, std::chrono::milliseconds(5), std::chrono::milliseconds(20)};

TEST(HttpRetry, ServerErrorsAndSlowDownAreRetried) {
  ScriptedServer server({"503 Slow Down|<Error><Code>SlowDown</Code></Error>", "500 Oops|x",
                         "429 Too Many|x", "200 OK|payload"});
  HttpClient client(kFast);
  HttpRequest req;
  req.url = server.url();
  auto r = client.perform(req);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "payload");
  EXPECT_EQ(server.requests(), 4);
}

TEST(HttpRetry, TriesAreBounded) {
  ScriptedServer server({"503 Slow Down|x"});
  HttpClient client(kFast);
  HttpRequest req;
  req.url = server.url();
  auto r = client.perform(req);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 503);
  EXPECT_EQ(server.requests(), kFast.max_tries);
}

TEST(HttpRetry, OtherClientErrorsAreNotRetried) {
  for (const char* reply : {"403 Forbidden|x", "404 Not Found|x", "400 Bad|x", "501 No|x"}) {
    ScriptedServer server({reply, "200 OK|late"});
    HttpClient client(kFast);
    HttpRequest req;
    req.url = server.url();
    auto r = client.perform(req);
    ASSERT_TRUE(r.ok());
    EXPECT_NE(r->status, 200) << reply;
    EXPECT_EQ(server.requests(), 1) << reply;
  }
}

TEST(HttpRetry, ConnectionFailuresAreRetriedThenReported) {
  int port;
  {  // a port that was free a moment ago: nothing listens there
    ScriptedServer gone({"200 OK|x"});
    port = std::stoi(gone.url().substr(17, gone.url().find('/', 17) - 17));
  }
  HttpClient client(kFast);
  HttpRequest req;
  req.url = "http://127.0.0.1:" + std::to_string(port) + "/b/k?X-Amz-Signature=abcdef0123456789";
  int tries = 0;
  req.before_try = [&tries](HttpRequest&) { ++tries; };
  auto r = client.perform(req);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kStorage);
  EXPECT_EQ(tries, kFast.max_tries);
  EXPECT_EQ(r.error().message.find("abcdef0123456789"), std::string::npos);
}

}  // namespace
}  // namespace pgshuttle::storage
