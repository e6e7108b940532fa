#include "core/cancel.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>

namespace pgshuttle {
namespace {

std::atomic<bool> g_cancelled{false};

void on_signal(int sig) {
  if (g_cancelled.exchange(true)) _exit(128 + sig);
}

}  // namespace

void install_cancel_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  signal(SIGPIPE, SIG_IGN);
}

void request_cancel() { g_cancelled = true; }
bool cancelled() { return g_cancelled; }

}  // namespace pgshuttle
