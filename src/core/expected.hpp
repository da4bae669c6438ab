// Result<T>: a value or a core::Error, for operations that fail in ways the user must hear about.
#pragma once

#include "error.hpp"

#include <optional>
#include <utility>

namespace seedance::core {

template<typename T> class Result {
public:
	Result(T value) : value_(std::move(value)) {}
	Result(Error error) : error_(std::move(error)) {}

	bool ok() const { return value_.has_value(); }
	explicit operator bool() const { return ok(); }

	T &value() { return *value_; }
	const T &value() const { return *value_; }
	T &operator*() { return *value_; }
	const T &operator*() const { return *value_; }
	T *operator->() { return &*value_; }
	const T *operator->() const { return &*value_; }

	const Error &error() const { return error_; }

private:
	std::optional<T> value_;
	Error error_;
};

} // namespace seedance::core
