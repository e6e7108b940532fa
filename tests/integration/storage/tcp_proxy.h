// A tiny TCP relay for tests: listens on 127.0.0.1:<random port> and relays
// every connection to an upstream port. The first connection that carries
// `cut_after` bytes from upstream is dropped right there (both sockets
// closed), as a flaky network would; later connections relay fully.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <stdexcept>
#include <thread>
#include <vector>

namespace pgshuttle::storage::testing {

class TcpProxy {
 public:
  TcpProxy(int upstream_port, uint64_t cut_after)
      : upstream_(upstream_port), cut_after_(cut_after) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
        ::listen(listen_fd_, 16) != 0 ||
        ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
      throw std::runtime_error("proxy: cannot listen");
    }
    port_ = ntohs(a.sin_port);
    acceptor_ = std::thread([this] { accept_loop(); });
  }

  ~TcpProxy() {
    stop_ = true;
    ::shutdown(listen_fd_, SHUT_RDWR);
    ::close(listen_fd_);
    acceptor_.join();
    for (auto& t : relays_) t.join();
  }

  int port() const { return port_; }
  int connections() const { return connections_; }
  bool cut() const { return cut_done_; }

 private:
  void accept_loop() {
    for (;;) {
      int client = ::accept(listen_fd_, nullptr, nullptr);
      if (client < 0) return;
      ++connections_;
      relays_.emplace_back([this, client] { relay(client); });
    }
  }

  int connect_upstream() const {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(static_cast<uint16_t>(upstream_));
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
      ::close(fd);
      return -1;
    }
    return fd;
  }

  void relay(int client) {
    int server = connect_upstream();
    uint64_t down = 0;
    char buf[65536];
    while (server >= 0 && !stop_) {
      pollfd fds[2] = {{client, POLLIN, 0}, {server, POLLIN, 0}};
      if (::poll(fds, 2, 200) <= 0) continue;
      int from = (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) ? client : server;
      if (!(fds[0].revents & (POLLIN | POLLHUP | POLLERR)) &&
          !(fds[1].revents & (POLLIN | POLLHUP | POLLERR))) {
        continue;
      }
      int to = from == client ? server : client;
      size_t want = sizeof buf;
      bool cutting = from == server && cut_after_ > 0 && !cut_done_;
      if (cutting) want = std::min<uint64_t>(want, cut_after_ - down);
      ssize_t n = ::read(from, buf, want);
      if (n <= 0) break;
      if (::write(to, buf, static_cast<size_t>(n)) != n) break;
      if (from == server) down += static_cast<uint64_t>(n);
      if (cutting && down >= cut_after_) {
        cut_done_ = true;
        break;
      }
    }
    if (server >= 0) ::close(server);
    ::shutdown(client, SHUT_RDWR);
    ::close(client);
  }

  int upstream_;
  uint64_t cut_after_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false}, cut_done_{false};
  std::atomic<int> connections_{0};
  std::thread acceptor_;
  std::vector<std::thread> relays_;
};

}  // namespace pgshuttle::storage::testing
