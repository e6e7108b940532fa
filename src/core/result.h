// Result<T>: either a value or an Error (error.h). Status is Result<void>.
//
// Regular failures (a server that refuses, a corrupt archive) travel as
// values; exceptions are reserved for programming errors. Use the macros to
// keep call sites flat:
//
//   PGS_TRY(conn.exec("SET ..."));                // returns the error upward
//   PGS_ASSIGN_OR_RETURN(auto rows, conn.query(sql));
//
// Thread safety: plain value type.
#pragma once

#include <cassert>
#include <optional>
#include <utility>
#include <variant>

#include "core/error.h"

namespace pgshuttle {

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT: implicit by design
  Result(Error error) : v_(std::move(error)) {}  // NOLINT: implicit by design

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & {
    assert(ok());
    return std::get<0>(v_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<0>(v_);
  }
  T&& value() && {
    assert(ok());
    return std::get<0>(std::move(v_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }

  const Error& error() const& {
    assert(!ok());
    return std::get<1>(v_);
  }
  Error&& error() && {
    assert(!ok());
    return std::get<1>(std::move(v_));
  }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)) {}  // NOLINT: implicit by design

  bool ok() const { return !error_.has_value(); }
  explicit operator bool() const { return ok(); }
  const Error& error() const& {
    assert(!ok());
    return *error_;
  }
  Error&& error() && {
    assert(!ok());
    return std::move(*error_);
  }

 private:
  std::optional<Error> error_;
};

using Status = Result<void>;

inline Status ok_status() { return {}; }

// Builds an Error; `hint` says what the user should do.
inline Error make_error(ErrorCode code, std::string message, std::string hint = {}) {
  Error e;
  e.code = code;
  e.message = std::move(message);
  e.hint = std::move(hint);
  return e;
}

}  // namespace pgshuttle

#define PGS_CONCAT_INNER(a, b) a##b
#define PGS_CONCAT(a, b) PGS_CONCAT_INNER(a, b)

// Evaluates `expr` (a Result of any type); returns its error from the caller.
#define PGS_TRY(expr)                                                     \
  do {                                                                    \
    auto&& pgs_try_result_ = (expr);                                      \
    if (!pgs_try_result_.ok()) return std::move(pgs_try_result_).error(); \
  } while (0)

#define PGS_ASSIGN_OR_RETURN_IMPL(tmp, decl, expr) \
  auto tmp = (expr);                               \
  if (!tmp.ok()) return std::move(tmp).error();    \
  decl = std::move(tmp).value()

// `decl` receives the value of `expr` (a Result<T>), or the caller returns its error.
#define PGS_ASSIGN_OR_RETURN(decl, expr) \
  PGS_ASSIGN_OR_RETURN_IMPL(PGS_CONCAT(pgs_result_, __LINE__), decl, expr)
