// HeadlessChromium: a real browser for tests, driven through chromedriver's
// W3C WebDriver HTTP API (libcurl + JSON, no npm, no network).
//
// Each instance starts its own chromedriver on a free loopback port and one
// headless Chromium session with a fresh, empty profile, so tests can run in
// parallel. Chromium runs with the flags this sandbox needs (--no-sandbox as
// root; no background networking, which the closed network would refuse).
// Failures throw std::runtime_error carrying chromedriver's log tail, so a
// browser that cannot start or render fails the test instead of skipping it.
//
// Header-only because tests/integration/<area>/ compiles only *_test.cpp.
// Thread safety: one thread per instance; not copyable.
#pragma once

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>

#include "core/subprocess.h"
#include "rig/rig.h"

namespace pgshuttle::browser {

struct HttpReply {
  long status = 0;  // 0 when the request did not complete
  std::string body;
  std::string error;
};

inline size_t append_body(char* data, size_t size, size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

// One HTTP request to chromedriver on the loopback interface.
inline HttpReply http(const std::string& method, const std::string& url,
                      const std::string& body = "", long timeout_seconds = 30) {
  HttpReply reply;
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
  curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/json");
  curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_CUSTOMREQUEST, method.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_NOPROXY, "*");
  curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT, timeout_seconds);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, append_body);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &reply.body);
  if (method == "POST") {
    curl_easy_setopt(curl.get(), CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDS, body.c_str());
  }
  CURLcode rc = curl_easy_perform(curl.get());
  curl_slist_free_all(headers);
  if (rc != CURLE_OK) {
    reply.error = curl_easy_strerror(rc);
  } else {
    curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &reply.status);
  }
  return reply;
}

// A loopback port nobody listens on right now (the kernel's choice).
inline int free_loopback_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  close(fd);
  if (port == 0) throw std::runtime_error("no free loopback port");
  return port;
}

inline std::string base64_decode(const std::string& text) {
  std::string out(text.size() / 4 * 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(text.data()),
                          static_cast<int>(text.size()));
  if (n < 0) throw std::runtime_error("screenshot is not valid base64");
  size_t pad = 0;
  for (size_t i = text.size(); i > 0 && text[i - 1] == '='; --i) ++pad;
  out.resize(static_cast<size_t>(n) - pad);
  return out;
}

// The browser: $PGSHUTTLE_CHROMIUM, else Debian's /usr/bin/chromium.
inline std::string chromium_binary() {
  const char* path = std::getenv("PGSHUTTLE_CHROMIUM");
  return path && *path ? path : "/usr/bin/chromium";
}

class HeadlessChromium {
 public:
  // Starts chromedriver and a Chromium session whose window is
  // width x height CSS pixels (the screenshot's size).
  explicit HeadlessChromium(int width = 1280, int height = 2000) {
    std::string tmp = "/tmp/" + rig::unique_name("chromium");
    profile_ = tmp + "-profile";
    log_ = tmp + "-chromedriver.log";
    std::filesystem::create_directories(profile_);
    try {
      start_driver();
      create_session(width, height);
    } catch (...) {
      stop();
      throw;
    }
  }
  ~HeadlessChromium() { stop(); }
  HeadlessChromium(const HeadlessChromium&) = delete;
  HeadlessChromium& operator=(const HeadlessChromium&) = delete;

  // Loads `url` and returns once the page's load event fired.
  void open(const std::string& url) { command("POST", "/url", {{"url", url}}); }

  // Runs `script` (a function body; `return` gives the result) in the page.
  nlohmann::json evaluate(const std::string& script) {
    return command("POST", "/execute/sync",
                   {{"script", script}, {"args", nlohmann::json::array()}});
  }

  // PNG bytes of the current viewport as rendered.
  std::string screenshot_png() {
    return base64_decode(command("GET", "/screenshot", nullptr).get<std::string>());
  }

 private:
  void stop() {
    if (!session_.empty()) http("DELETE", base_ + "/session/" + session_, "", 10);
    if (driver_) {
      driver_->kill(SIGTERM);
      (void)driver_->wait();
    }
    std::error_code ignored;
    std::filesystem::remove_all(profile_, ignored);
    std::filesystem::remove(log_, ignored);
  }

  void start_driver() {
    int port = free_loopback_port();
    base_ = "http://127.0.0.1:" + std::to_string(port);
    SubprocessOptions options;
    options.argv = {"chromedriver", "--port=" + std::to_string(port), "--log-path=" + log_};
    options.inherit = {"*"};  // chromium reads XDG_*, fontconfig and display settings
    auto spawned = Subprocess::spawn(options);
    if (!spawned.ok()) {
      throw std::runtime_error(
          "cannot start chromedriver (apt-get install chromium "
          "chromium-driver; scripts/install-deps.sh does): " +
          spawned.error().message);
    }
    driver_ = std::make_unique<Subprocess>(std::move(spawned).value());
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
    while (std::chrono::steady_clock::now() < deadline) {
      HttpReply r = http("GET", base_ + "/status", "", 2);
      if (r.status == 200 && nlohmann::json::parse(r.body)["value"]["ready"] == true) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    fail("chromedriver did not become ready on " + base_);
  }

  void create_session(int width, int height) {
    nlohmann::json args = {"--headless",
                           "--no-sandbox",
                           "--disable-gpu",
                           "--disable-quic",
                           "--no-first-run",
                           "--disable-background-networking",
                           "--disable-component-update",
                           "--disable-sync",
                           "--hide-scrollbars",
                           "--force-device-scale-factor=1",
                           "--lang=en-US",
                           "--user-data-dir=" + profile_,
                           "--window-size=" + std::to_string(width) + "," + std::to_string(height)};
    nlohmann::json caps = {
        {"capabilities",
         {{"alwaysMatch",
           {{"browserName", "chrome"},
            {"timeouts", {{"pageLoad", 15000}, {"script", 10000}}},
            {"goog:chromeOptions", {{"binary", chromium_binary()}, {"args", args}}}}}}}};
    HttpReply r = http("POST", base_ + "/session", caps.dump(), 60);
    auto reply = parse(r, "new session");
    session_ = reply["value"]["sessionId"].get<std::string>();
  }

  nlohmann::json command(const std::string& method, const std::string& path,
                         const nlohmann::json& body) {
    HttpReply r =
        http(method, base_ + "/session/" + session_ + path, body.is_null() ? "" : body.dump());
    return parse(r, method + " " + path)["value"];
  }

  nlohmann::json parse(const HttpReply& r, const std::string& what) {
    if (r.status != 200) {
      fail("WebDriver " + what + " failed (HTTP " + std::to_string(r.status) + " " + r.error +
           "): " + r.body.substr(0, 2000));
    }
    return nlohmann::json::parse(r.body);
  }

  [[noreturn]] void fail(const std::string& message) {
    std::ifstream in(log_);
    std::stringstream log;
    log << in.rdbuf();
    std::string text = log.str();
    if (text.size() > 3000) text = text.substr(text.size() - 3000);
    throw std::runtime_error(message + "\nchromedriver log tail:\n" + text);
  }

  std::string base_;
  std::string profile_;
  std::string log_;
  std::string session_;
  std::unique_ptr<Subprocess> driver_;
};

}  // namespace pgshuttle::browser
