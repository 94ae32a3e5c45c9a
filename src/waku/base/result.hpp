// Result<T>: a value or an Error, for expected failures.
//
// Our own because GCC 12 has std::expected only with -std=c++2b and clang 14 (the fuzzing
// compiler) has none, and tl::expected 1.0 lacks [[nodiscard]]. Names mirror std::expected
// (has_value, value, error, and_then, transform, value_or) so switching later is mechanical.
// value() on an error and error() on a value are broken invariants: they assert.
#pragma once

#include <type_traits>
#include <utility>
#include <variant>

#include "waku/base/assert.hpp"
#include "waku/base/error.hpp"

namespace waku {

// Wraps an Error so that `return unexpected(err);` reads like std::expected code.
struct Unexpected {
  Error error;
};
inline Unexpected unexpected(Error error) { return Unexpected{std::move(error)}; }
inline Unexpected unexpected(Errc code, const char* context) {
  return Unexpected{make_error(code, context)};
}

template <typename T>
class Result;

template <>
class [[nodiscard]] Result<void> {
 public:
  using value_type = void;

  Result() = default;
  Result(Unexpected u) : error_(std::move(u.error)), failed_(true) {}  // NOLINT
  Result(Error error) : error_(std::move(error)), failed_(true) {}     // NOLINT

  [[nodiscard]] bool has_value() const noexcept { return !failed_; }
  explicit operator bool() const noexcept { return has_value(); }
  void value() const { WAKU_ASSERT_MSG(has_value(), "Result::value() on an error"); }
  [[nodiscard]] const Error& error() const& {
    WAKU_ASSERT_MSG(!has_value(), "Result::error() on a value");
    return error_;
  }

  template <typename F>
  auto and_then(F&& f) const -> std::invoke_result_t<F> {
    if (has_value()) return std::forward<F>(f)();
    return Unexpected{error_};
  }

 private:
  Error error_{};
  bool failed_{false};
};

template <typename T>
class [[nodiscard]] Result {
 public:
  using value_type = T;

  Result(const T& value) : state_(std::in_place_index<0>, value) {}  // NOLINT: implicit by design
  Result(T&& value) : state_(std::in_place_index<0>, std::move(value)) {}       // NOLINT
  Result(Unexpected u) : state_(std::in_place_index<1>, std::move(u.error)) {}  // NOLINT
  Result(Error error) : state_(std::in_place_index<1>, std::move(error)) {}     // NOLINT

  // Converting constructor (e.g. Result<std::string> from a literal). The constraint keeps it from
  // hiding the copy and move constructors, which clang-tidy cannot see.
  template <typename U>
  requires(std::is_constructible_v<T, U&&> && !std::is_same_v<std::decay_t<U>, T> &&
           !std::is_same_v<std::decay_t<U>, Result> && !std::is_same_v<std::decay_t<U>, Error> &&
           !std::is_same_v<std::decay_t<U>, Unexpected>)
      // NOLINTNEXTLINE(bugprone-forwarding-reference-overload)
      Result(U&& value)
      : state_(std::in_place_index<0>, T(std::forward<U>(value))) {}

  [[nodiscard]] bool has_value() const noexcept { return state_.index() == 0; }
  explicit operator bool() const noexcept { return has_value(); }

  [[nodiscard]] T& value() & {
    WAKU_ASSERT_MSG(has_value(), "Result::value() on an error");
    return std::get<0>(state_);
  }
  [[nodiscard]] const T& value() const& {
    WAKU_ASSERT_MSG(has_value(), "Result::value() on an error");
    return std::get<0>(state_);
  }
  [[nodiscard]] T&& value() && {
    WAKU_ASSERT_MSG(has_value(), "Result::value() on an error");
    return std::get<0>(std::move(state_));
  }
  [[nodiscard]] const Error& error() const& {
    WAKU_ASSERT_MSG(!has_value(), "Result::error() on a value");
    return std::get<1>(state_);
  }
  [[nodiscard]] Error&& error() && {
    WAKU_ASSERT_MSG(!has_value(), "Result::error() on a value");
    return std::get<1>(std::move(state_));
  }

  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  template <typename U>
  [[nodiscard]] T value_or(U&& fallback) const& {
    return has_value() ? std::get<0>(state_) : static_cast<T>(std::forward<U>(fallback));
  }

  // f: T -> Result<U>
  template <typename F>
  auto and_then(F&& f) const& -> std::invoke_result_t<F, const T&> {
    if (has_value()) return std::forward<F>(f)(std::get<0>(state_));
    return Unexpected{std::get<1>(state_)};
  }
  template <typename F>
  auto and_then(F&& f) && -> std::invoke_result_t<F, T&&> {
    if (has_value()) return std::forward<F>(f)(std::get<0>(std::move(state_)));
    return Unexpected{std::get<1>(std::move(state_))};
  }

  // f: T -> U, giving Result<U>
  template <typename F>
  auto transform(F&& f) const& -> Result<std::invoke_result_t<F, const T&>> {
    using U = std::invoke_result_t<F, const T&>;
    if (!has_value()) return Unexpected{std::get<1>(state_)};
    if constexpr (std::is_void_v<U>) {
      std::forward<F>(f)(std::get<0>(state_));
      return Result<void>{};
    } else {
      return Result<U>(std::forward<F>(f)(std::get<0>(state_)));
    }
  }

 private:
  std::variant<T, Error> state_;
};

inline Result<void> ok() { return Result<void>(); }

}  // namespace waku

// Propagates an error from an expression yielding Result<T>; otherwise evaluates to nothing.
#define WAKU_TRY_VOID(expr)                                \
  do {                                                     \
    auto waku_try_result_ = (expr);                        \
    if (!waku_try_result_.has_value()) {                   \
      return ::waku::Unexpected{waku_try_result_.error()}; \
    }                                                      \
  } while (false)
