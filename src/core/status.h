// Status and Result: how every EcoHub module reports failure without exceptions.
//
// A Status is a stable code plus a human message. Codes are coarse classes
// (DuckDB's split of invalid input, I/O, internal, corruption); only src/api maps
// them to HTTP statuses. A Result<T> holds either a value or a non-OK Status.
// Both are plain values: copyable, movable, not thread-safe to mutate concurrently.
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace ecohub {

enum class Code {
  kOk = 0,
  kInvalidInput,  // outside input that breaks a rule (bad packet, bad request)
  kNotFound,
  kUnauthenticated,
  kPermissionDenied,
  kConflict,
  kIoError,      // the disk or the network failed
  kCorruption,   // stored data that does not decode
  kUnavailable,  // try again later (shutting down, queue full)
  kInternal,     // our bug
};

const char* CodeName(Code code);

class Status {
 public:
  Status() = default;
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }
  static Status InvalidInput(std::string m) { return {Code::kInvalidInput, std::move(m)}; }
  static Status NotFound(std::string m) { return {Code::kNotFound, std::move(m)}; }
  static Status IoError(std::string m) { return {Code::kIoError, std::move(m)}; }
  static Status Corruption(std::string m) { return {Code::kCorruption, std::move(m)}; }
  static Status Unavailable(std::string m) { return {Code::kUnavailable, std::move(m)}; }
  static Status Internal(std::string m) { return {Code::kInternal, std::move(m)}; }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  // "io_error: disk full" or "ok".
  std::string ToString() const;

 private:
  Code code_ = Code::kOk;
  std::string message_;
};

template <typename T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) { assert(!std::get<Status>(v_).ok()); }

  bool ok() const { return std::holds_alternative<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T& value() & { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }
  Status status() const { return ok() ? Status::Ok() : std::get<Status>(v_); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace ecohub
