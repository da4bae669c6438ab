// Error kinds, names and user-facing sentences.
#include "error.hpp"

#include "redact.hpp"
#include "text.hpp"

#include <array>
#include <utility>

namespace seedance::core {

namespace {
constexpr std::array<std::pair<ErrorKind, const char *>, 20> kNames{{
	{ErrorKind::None, "none"},
	{ErrorKind::InvalidInput, "invalid_input"},
	{ErrorKind::Auth, "auth"},
	{ErrorKind::Quota, "quota"},
	{ErrorKind::Permission, "permission"},
	{ErrorKind::NotFound, "not_found"},
	{ErrorKind::ContentRejected, "content_rejected"},
	{ErrorKind::GenerationFailed, "generation_failed"},
	{ErrorKind::RateLimited, "rate_limited"},
	{ErrorKind::ServerUnavailable, "server_unavailable"},
	{ErrorKind::Network, "network"},
	{ErrorKind::Timeout, "timeout"},
	{ErrorKind::Tls, "tls"},
	{ErrorKind::BadResponse, "bad_response"},
	{ErrorKind::Expired, "expired"},
	{ErrorKind::OutcomeUnknown, "outcome_unknown"},
	{ErrorKind::Cancelled, "cancelled"},
	{ErrorKind::Disk, "disk"},
	{ErrorKind::Capture, "capture"},
	{ErrorKind::Internal, "internal"},
}};
} // namespace

const char *errorKindName(ErrorKind kind)
{
	for (const auto &[k, name] : kNames)
		if (k == kind)
			return name;
	return "internal";
}

ErrorKind errorKindFromName(const std::string &name)
{
	for (const auto &[k, n] : kNames)
		if (name == n)
			return k;
	return ErrorKind::Internal;
}

Error makeError(ErrorKind kind, std::string messageKey, std::string detail, std::map<std::string, std::string> args)
{
	Error e;
	e.kind = kind;
	e.messageKey = std::move(messageKey);
	e.detail = std::move(detail);
	e.args = std::move(args);
	return e;
}

std::string userMessage(const Error &error)
{
	if (!error)
		return {};
	std::string message = fillPlaceholders(text(error.messageKey), error.args);
	if (!error.providerMessage.empty()) {
		std::string said = fillPlaceholders(text("Error.ProviderSaid"), {{"message", error.providerMessage}});
		message += " " + said;
	}
	return redact(message);
}

std::string describe(const Error &error)
{
	std::string out = errorKindName(error.kind);
	if (error.httpStatus)
		out += " (HTTP " + std::to_string(error.httpStatus) + ")";
	if (!error.providerCode.empty())
		out += " code=" + error.providerCode;
	if (!error.detail.empty())
		out += ": " + error.detail;
	if (!error.providerMessage.empty())
		out += " | provider: " + error.providerMessage;
	return redact(out);
}

} // namespace seedance::core
