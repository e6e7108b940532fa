// Redaction of secrets in any text that leaves the process: logs, reports,
// error messages, the transfer registry, JSON output.
//
// Two layers: pattern rules that need no prior knowledge (the password in a
// URI's userinfo, `password=` in a libpq key=value string, the
// X-Amz-Signature / X-Amz-Credential / X-Amz-Security-Token query parameters
// of presigned URLs, the Signature= of an Authorization header), and exact
// secrets registered at run time (a password read from a passfile, an AWS
// secret key) which are replaced wherever they appear.
//
// Thread safety: all functions are safe to call from any thread.
#pragma once

#include <string>
#include <string_view>

namespace pgshuttle {

inline constexpr std::string_view kRedacted = "***";

// Returns `text` with every known secret pattern and registered secret replaced by ***.
std::string redact(std::string_view text);

// Returns `text` at the same length, every secret the pattern rules find
// overwritten with '*' ("postgresql://u:******@h/d"). For bytes that cannot
// change length: the process's own argv, which `ps` and /proc/PID/cmdline
// show to every user. Registered secrets are not consulted.
std::string mask_secrets(std::string_view text);

// Remembers `secret` so redact() hides it from now on. Secrets shorter than
// 4 characters are ignored: replacing them would mangle ordinary text.
void register_secret(std::string_view secret);

}  // namespace pgshuttle
