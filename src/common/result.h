#pragma once

#include <cassert>
#include <optional>
#include <type_traits>
#include <utility>
#include <variant>

#include "common/error.h"

namespace lambdalite {

// Result<T> holds either a T or an Error. It is [[nodiscard]]: ignoring a failure must be written
// out. Access to value() on an error (or error() on a value) is a bug and asserts.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  Result(Error error) : v_(std::in_place_index<1>, std::move(error)) {}  // NOLINT

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

// Status is a Result with no value.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Error error) : error_(std::move(error)) {}  // NOLINT: implicit by design
  static Status Ok() { return Status(); }

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

}  // namespace lambdalite

#define LAMBDALITE_CONCAT_INNER(a, b) a##b
#define LAMBDALITE_CONCAT(a, b) LAMBDALITE_CONCAT_INNER(a, b)

// LAMBDALITE_TRY(auto x, Expr()) evaluates a Result-returning expression; on error it returns the
// error from the enclosing function, otherwise it binds the value to the declaration.
#define LAMBDALITE_TRY(decl, expr) \
  LAMBDALITE_TRY_IMPL(LAMBDALITE_CONCAT(try_, __LINE__), decl, expr)
#define LAMBDALITE_TRY_IMPL(tmp, decl, expr)    \
  auto tmp = (expr);                            \
  if (!tmp.ok()) return std::move(tmp).error(); \
  decl = std::move(tmp).value()

// LAMBDALITE_RETURN_IF_ERROR(Expr()) propagates the error of a Status- or Result-returning call.
#define LAMBDALITE_RETURN_IF_ERROR(expr)                          \
  do {                                                            \
    auto LAMBDALITE_CONCAT(st_, __LINE__) = (expr);               \
    if (!LAMBDALITE_CONCAT(st_, __LINE__).ok())                   \
      return std::move(LAMBDALITE_CONCAT(st_, __LINE__)).error(); \
  } while (0)
