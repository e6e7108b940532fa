// Cancellation: one process-wide flag, set by SIGINT/SIGTERM (once the CLI
// installs the handlers) or by `pgshuttle cancel` through the registry.
// Long loops poll cancelled() and return ErrorCode::kCancelled.
//
// Thread safety: lock-free; safe from signal handlers and any thread.
#pragma once

namespace pgshuttle {

// Installs SIGINT/SIGTERM handlers that set the flag (a second Ctrl-C exits at once).
void install_cancel_handlers();
void request_cancel();
bool cancelled();

}  // namespace pgshuttle
