// RestoreError: one failed statement reported by pg_restore or psql, and
// its classification. On a managed target (no superuser) some failures are
// expected and harmless — COMMENT ON EXTENSION by a non-owner, a schema that
// already exists — so they become warnings; everything else is fatal.
//
// Thread safety: pure functions on values.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace pgshuttle::restore {

enum class Severity { kWarning, kFatal };

struct RestoreError {
  Severity severity = Severity::kFatal;
  std::string object;                   // "TABLE public.orders" when the tool named it, else ""
  std::string message;                  // the server's message, without "ERROR:"
  std::string command;                  // the statement, first line only, when known
  ErrorCode code = ErrorCode::kTarget;  // kArchive when the archive's data was bad
};

// Parses pg_restore's stderr (without --exit-on-error) into its errors.
std::vector<RestoreError> parse_pg_restore_errors(std::string_view stderr_text);
// Parses psql's stderr ("psql:<stdin>:12: ERROR:  ...") into its errors.
std::vector<RestoreError> parse_psql_errors(std::string_view stderr_text);

// Warning or fatal, from the message and the statement.
Severity classify(std::string_view message, std::string_view command);

}  // namespace pgshuttle::restore
