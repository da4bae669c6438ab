// The typed error that travels from core to the UI, the CLI and the websocket vendor.
#pragma once

#include <map>
#include <optional>
#include <string>

namespace seedance::core {

enum class ErrorKind {
	None,
	InvalidInput,      // caught before anything was sent (nothing billed)
	Auth,              // 401: missing or wrong API key
	Quota,             // 402: balance too low
	Permission,        // 403
	NotFound,          // 404: unknown task
	ContentRejected,   // 422 or a content-policy failure
	GenerationFailed,  // the task ended "failed"
	RateLimited,       // 429 that outlasted the retries
	ServerUnavailable, // 5xx that outlasted the retries
	Network,           // DNS, connect, reset
	Timeout,           // connect/transfer timeout or polling deadline
	Tls,               // certificate or handshake failure
	BadResponse,       // unparseable, wrong types, too large, missing fields
	Expired,           // the result URL expired
	OutcomeUnknown,    // a create request whose outcome is unknown (may have been billed)
	Cancelled,
	Disk,    // could not write the clip or the journal
	Capture, // the frame could not be captured
	Internal,
};

// Stable lower-case name used in JSON (journal, websocket, CLI): "invalid_input", "auth", ...
const char *errorKindName(ErrorKind kind);
ErrorKind errorKindFromName(const std::string &name);

struct Error {
	ErrorKind kind = ErrorKind::None;
	// Locale key of the sentence the user sees ("Error.Auth"); it says what to do next. `args` fill its
	// {placeholders}.
	std::string messageKey;
	std::map<std::string, std::string> args;
	// For the log: what exactly happened (never a secret; logging redacts anyway).
	std::string detail;
	int httpStatus = 0;
	std::string providerCode;    // error.code from the provider, as text
	std::string providerMessage; // the provider's own message, shown after ours
	std::optional<double> retryAfterSeconds;

	explicit operator bool() const { return kind != ErrorKind::None; }
};

Error makeError(ErrorKind kind, std::string messageKey, std::string detail = {},
		std::map<std::string, std::string> args = {});

// The user-facing sentence: the localized message with its placeholders filled, then the provider's message
// when there is one. Redacted.
std::string userMessage(const Error &error);

// One line for logs: kind, HTTP status, provider code, detail. Redacted.
std::string describe(const Error &error);

} // namespace seedance::core
