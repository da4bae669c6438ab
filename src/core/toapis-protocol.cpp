// Response parsers. Each accepts every documented variant and fails with a user-meaningful Error otherwise.
#include "toapis-protocol.hpp"

#include "log.hpp"
#include "redact.hpp"
#include "text.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <mutex>
#include <set>

namespace seedance::core {

using nlohmann::json;

namespace {

std::string lower(std::string s)
{
	std::transform(s.begin(), s.end(), s.begin(),
		       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
	return s;
}

// Provider text shown to users is kept short and single-line.
std::string clip(std::string s, size_t max = 300)
{
	s = toValidUtf8(s); // an error page in Latin-1 must not reach the journal, JSON or Qt as it is
	for (char &c : s)
		if (c == '\n' || c == '\r' || c == '\t')
			c = ' ';
	if (s.size() > max) {
		size_t cut = max;
		while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80)
			--cut; // do not split a UTF-8 sequence
		s = s.substr(0, cut) + "…";
	}
	return s;
}

// The provider's own words, as shown after ours: short, and without anything secret it may echo (our key).
std::string said(const std::string &s)
{
	return redact(clip(s));
}

std::optional<json> parseJson(const std::string &body)
{
	if (body.empty() || jsonTooDeep(body))
		return std::nullopt;
	// A body with stray bytes that are not UTF-8 (a Latin-1 message) is still read: the parser would refuse it
	// whole, and a task answer that can never be read is polled until the deadline.
	json j = isValidUtf8(body) ? json::parse(body, nullptr, false) : json::parse(toValidUtf8(body), nullptr, false);
	if (j.is_discarded())
		return std::nullopt;
	return j;
}

// A value as text whether the server sent a string or a number.
std::string asText(const json &v)
{
	if (v.is_string())
		return v.get<std::string>();
	if (v.is_number_integer())
		return std::to_string(v.get<long long>());
	if (v.is_number_unsigned())
		return std::to_string(v.get<unsigned long long>());
	if (v.is_number_float()) {
		double d = v.get<double>();
		if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 1e15)
			return std::to_string(static_cast<long long>(d));
		return std::to_string(d);
	}
	return {};
}

std::string textField(const json &obj, const char *key)
{
	if (!obj.is_object())
		return {};
	auto it = obj.find(key);
	return it == obj.end() ? std::string() : asText(*it);
}

std::optional<double> asNumber(const json &v)
{
	if (v.is_number()) {
		double d = v.get<double>();
		return std::isfinite(d) ? std::optional<double>(d) : std::nullopt;
	}
	if (v.is_string()) {
		std::string s = v.get<std::string>();
		std::string digits;
		for (char c : s) {
			if (std::isdigit(static_cast<unsigned char>(c)) || c == '.' || (c == '-' && digits.empty()))
				digits += c;
			else if (c == '%' || c == ' ')
				continue;
			else
				return std::nullopt;
		}
		if (digits.empty() || digits == "-" || digits == ".")
			return std::nullopt;
		try {
			return std::stod(digits);
		} catch (...) {
			return std::nullopt;
		}
	}
	return std::nullopt;
}

std::optional<std::int64_t> timestampField(const json &obj, const char *key)
{
	if (!obj.is_object())
		return std::nullopt;
	auto it = obj.find(key);
	if (it == obj.end())
		return std::nullopt;
	auto n = asNumber(*it);
	if (!n || *n <= 0 || *n > 1e14)
		return std::nullopt;
	double seconds = *n > 1e11 ? *n / 1000.0 : *n; // milliseconds sent by mistake
	return static_cast<std::int64_t>(seconds);
}

const json *objectAt(const json &obj, const char *key)
{
	if (!obj.is_object())
		return nullptr;
	auto it = obj.find(key);
	return it != obj.end() && it->is_object() ? &*it : nullptr;
}

struct Envelope {
	std::string code;
	std::string message;
	std::string type;
};

// Reads whichever error envelope the body uses (reference §5): {error:{code,message,type}}, {error:"text"},
// {success:false,message}, top-level message/msg, fail_reason.
Envelope readEnvelope(const json &j)
{
	Envelope e;
	if (!j.is_object())
		return e;
	auto err = j.find("error");
	if (err != j.end()) {
		if (err->is_object()) {
			e.code = textField(*err, "code");
			e.message = textField(*err, "message");
			e.type = textField(*err, "type");
		} else if (err->is_string()) {
			e.message = err->get<std::string>();
		}
	}
	if (e.message.empty())
		e.message = textField(j, "message");
	if (e.message.empty())
		e.message = textField(j, "msg");
	if (e.message.empty())
		e.message = textField(j, "fail_reason");
	if (e.code.empty())
		e.code = textField(j, "code");
	return e;
}

// "<title>502 Bad Gateway</title>" from an HTML error page, for the log.
std::string htmlTitle(const std::string &body)
{
	std::string low = lower(body.substr(0, 4096));
	size_t open = low.find("<title>");
	size_t close = low.find("</title>");
	if (open == std::string::npos || close == std::string::npos || close <= open)
		return {};
	return clip(body.substr(open + 7, close - open - 7), 120);
}

bool mentionsContentPolicy(const std::string &text)
{
	std::string t = lower(text);
	return t.find("content_policy") != std::string::npos || t.find("content policy") != std::string::npos ||
	       t.find("sensitive") != std::string::npos || t.find("moderation") != std::string::npos ||
	       t.find("violat") != std::string::npos;
}

Error badResponse(const std::string &detail, Operation op)
{
	(void)op;
	return makeError(ErrorKind::BadResponse, "Error.BadResponse", detail);
}

bool mentionsTooLarge(const std::string &text)
{
	std::string t = lower(text);
	return t.find("too large") != std::string::npos || t.find("maximum size") != std::string::npos ||
	       t.find("too big") != std::string::npos;
}

Error transportError(const HttpResponse &r, Operation operation)
{
	switch (r.error) {
	case TransportError::Resolve:
		return makeError(ErrorKind::Network, "Error.Network.Resolve", r.errorDetail);
	case TransportError::Connect:
		return makeError(ErrorKind::Network, "Error.Network.Connect", r.errorDetail);
	case TransportError::Timeout:
		return makeError(ErrorKind::Timeout, "Error.Network.Timeout", r.errorDetail);
	case TransportError::Tls:
		return makeError(ErrorKind::Tls, "Error.Network.Tls", r.errorDetail);
	case TransportError::TooLarge:
		return makeError(ErrorKind::BadResponse, "Error.TooLarge", r.errorDetail);
	case TransportError::Cancelled:
		return makeError(ErrorKind::Cancelled, "Error.Cancelled", r.errorDetail);
	case TransportError::Policy:
		if (!r.refusedRedirect.empty())
			return makeError(ErrorKind::InvalidInput, "Error.Redirect.Refused", r.errorDetail,
					 {{"url", toValidUtf8(r.refusedRedirect)}});
		return makeError(ErrorKind::InvalidInput, "Error.Url.Insecure", r.errorDetail,
				 {{"url", stripQuery(r.finalUrl)}});
	case TransportError::Redirects:
		return makeError(ErrorKind::BadResponse,
				 operation == Operation::Download ? "Error.Download.Redirects" : "Error.Redirects",
				 r.errorDetail);
	case TransportError::Write:
		return makeError(ErrorKind::Disk, "Error.Disk.Write", r.errorDetail);
	case TransportError::Network:
	case TransportError::None:
		break;
	}
	return makeError(ErrorKind::Network, "Error.Network.Other", r.errorDetail);
}

void logUnknownStatusOnce(const std::string &status)
{
	static std::mutex mutex;
	static std::set<std::string> seen;
	std::lock_guard<std::mutex> lock(mutex);
	if (seen.size() < 64 && seen.insert(status).second)
		logWarning("unknown task status \"" + clip(status, 40) + "\": treated as still running");
}

} // namespace

bool jsonTooDeep(const std::string &text, int limit)
{
	int depth = 0;
	bool inString = false;
	bool escaped = false;
	for (char c : text) {
		if (inString) {
			if (escaped)
				escaped = false;
			else if (c == '\\')
				escaped = true;
			else if (c == '"')
				inString = false;
			continue;
		}
		if (c == '"') {
			inString = true;
		} else if (c == '{' || c == '[') {
			if (++depth > limit)
				return true;
		} else if (c == '}' || c == ']') {
			--depth;
		}
	}
	return false;
}

TaskState classifyStatus(const std::string &raw)
{
	std::string s = lower(raw);
	if (s == "completed" || s == "succeeded" || s == "success" || s == "complete")
		return TaskState::Succeeded;
	if (s == "failed" || s == "failure" || s == "expired" || s == "cancelled" || s == "canceled" || s == "error")
		return TaskState::Failed;
	if (s != "queued" && s != "submitted" && s != "pending" && s != "in_progress" && s != "running" &&
	    s != "processing")
		logUnknownStatusOnce(raw);
	return TaskState::Waiting;
}

Error errorFromResponse(const HttpResponse &r, Operation operation)
{
	if (!r.transportOk())
		return transportError(r, operation);

	Envelope env;
	std::string detail;
	if (auto j = parseJson(r.body)) {
		env = readEnvelope(*j);
	} else {
		std::string title = htmlTitle(r.body);
		detail = title.empty() ? "non-JSON body of " + std::to_string(r.body.size()) + " bytes"
				       : "HTML page \"" + title + "\"";
	}
	std::string codeLower = lower(env.code);
	std::string typeLower = lower(env.type);
	long status = r.status;

	Error e;
	if (status == 401 || codeLower == "unauthorized" || typeLower == "authentication_error") {
		e = makeError(ErrorKind::Auth, "Error.Auth");
	} else if (status == 402 || codeLower == "insufficient_quota") {
		e = makeError(ErrorKind::Quota, "Error.Quota");
	} else if (status == 403) {
		e = operation == Operation::Download ? makeError(ErrorKind::Expired, "Error.Download.Forbidden")
						     : makeError(ErrorKind::Permission, "Error.Permission");
	} else if (status == 404) {
		e = operation == Operation::Download ? makeError(ErrorKind::Expired, "Error.Download.Gone")
						     : makeError(ErrorKind::NotFound, "Error.NotFound");
	} else if (status == 410) {
		e = makeError(ErrorKind::Expired, "Error.Download.Gone");
	} else if (status == 422 || codeLower == "content_policy_violation" || mentionsContentPolicy(env.code)) {
		e = makeError(ErrorKind::ContentRejected, "Error.ContentRejected");
	} else if (status == 429) {
		e = makeError(ErrorKind::RateLimited, "Error.RateLimited");
	} else if (status == 503 && codeLower == "rate_limit_unavailable") {
		e = makeError(ErrorKind::ServerUnavailable, "Error.SubmitUnavailable");
	} else if (status >= 500) {
		e = makeError(ErrorKind::ServerUnavailable, "Error.Server");
	} else if (status == 413 ||
		   (operation == Operation::Upload && status == 400 && mentionsTooLarge(env.message))) {
		e = makeError(ErrorKind::InvalidInput, "Error.Upload.TooLarge");
	} else if (status == 400) {
		e = makeError(ErrorKind::InvalidInput, "Error.Rejected");
	} else {
		e = makeError(ErrorKind::BadResponse, "Error.BadResponse");
	}
	e.httpStatus = static_cast<int>(status);
	e.providerCode = clip(env.code, 80);
	e.providerMessage = said(env.message);
	e.retryAfterSeconds = r.retryAfterSeconds();
	e.detail = "HTTP " + std::to_string(status) + (detail.empty() ? "" : ", " + detail);
	return e;
}

Result<UploadResult> parseUploadResponse(const HttpResponse &r)
{
	if (!r.success())
		return errorFromResponse(r, Operation::Upload);
	auto j = parseJson(r.body);
	if (!j || !j->is_object())
		return badResponse("upload answer is not a JSON object", Operation::Upload);
	auto success = j->find("success");
	if (success != j->end() && success->is_boolean() && !success->get<bool>()) {
		// The upload envelope reports refusals with HTTP 200 on some deployments.
		std::string message = readEnvelope(*j).message;
		Error e = makeError(ErrorKind::InvalidInput,
				    mentionsTooLarge(message) ? "Error.Upload.TooLarge" : "Error.UploadRefused",
				    "success:false");
		e.providerMessage = said(message);
		e.httpStatus = static_cast<int>(r.status);
		return e;
	}
	const json *data = objectAt(*j, "data");
	const json &src = data ? *data : *j;
	UploadResult out;
	out.id = textField(src, "id");
	out.url = textField(src, "url");
	out.mimeType = textField(src, "mime_type");
	// Informational only; a size no file can have (1e30) is ignored rather than cast, which would be undefined.
	if (auto it = src.find("size"); it != src.end())
		if (auto n = asNumber(*it); n && *n >= 0 && *n < 9e18)
			out.size = static_cast<std::int64_t>(*n);
	if (out.url.empty())
		return badResponse("upload answer has no data.url", Operation::Upload);
	if (Error policy = checkUrlAllowed(out.url))
		return badResponse("upload URL is not https: " + stripQuery(out.url), Operation::Upload);
	return out;
}

Result<TaskSnapshot> parseTaskResponse(const HttpResponse &r, Operation operation)
{
	if (!r.success())
		return errorFromResponse(r, operation);
	auto j = parseJson(r.body);
	if (!j || !j->is_object())
		return badResponse("task answer is not a JSON object", operation);
	// Some gateways wrap the task in {"data": {...}}.
	const json *wrapped = objectAt(*j, "data");
	const json &t = (wrapped && wrapped->contains("status") && !j->contains("status")) ? *wrapped : *j;

	TaskSnapshot s;
	s.id = textField(t, "id");
	if (s.id.empty())
		s.id = textField(t, "task_id");
	if (s.id.empty())
		return badResponse("task answer has no id", operation);
	if (s.id.size() > 256 || s.id.find_first_of("/?#\\ \r\n\t") != std::string::npos)
		return badResponse("task id has unsafe characters", operation);

	auto statusIt = t.find("status");
	if (statusIt == t.end() || !statusIt->is_string() || statusIt->get<std::string>().empty()) {
		// The answer to a create is read for its id: the task exists and is billed, and polling tells the rest.
		// Failing here would lose a paid task over an informational field.
		if (operation != Operation::Create)
			return badResponse("task answer has no status text", operation);
		s.status = "queued";
	} else {
		s.status = clip(statusIt->get<std::string>(), 64);
	}
	s.state = classifyStatus(s.status);

	if (auto it = t.find("progress"); it != t.end()) {
		if (auto n = asNumber(*it))
			s.progress = static_cast<int>(std::clamp(*n, 0.0, 100.0));
	}
	s.createdAt = timestampField(t, "created_at");
	s.completedAt = timestampField(t, "completed_at");
	s.expiresAt = timestampField(t, "expires_at");

	// Video URL: result.data[0].url (docs@Aug), top-level url (older docs), content.video_url (Ark).
	if (const json *result = objectAt(t, "result")) {
		auto data = result->find("data");
		if (data != result->end()) {
			const json *first = nullptr;
			if (data->is_array() && !data->empty())
				first = &(*data)[0];
			else if (data->is_object() || data->is_string())
				first = &*data;
			if (first && first->is_object()) {
				s.videoUrl = textField(*first, "url");
				s.lastFrameUrl = textField(*first, "last_frame_url");
			} else if (first && first->is_string()) {
				s.videoUrl = first->get<std::string>(); // "data": ["https://…"] or "data": "https://…"
			}
		}
		if (s.videoUrl.empty())
			s.videoUrl = textField(*result, "url");
	}
	if (s.videoUrl.empty())
		s.videoUrl = textField(t, "url");
	if (const json *content = objectAt(t, "content")) {
		if (s.videoUrl.empty())
			s.videoUrl = textField(*content, "video_url");
		if (s.lastFrameUrl.empty())
			s.lastFrameUrl = textField(*content, "last_frame_url");
	}
	if (s.videoUrl.empty())
		s.videoUrl = textField(t, "video_url");
	if (!s.expiresAt && s.state == TaskState::Succeeded) {
		// Ark has no expires_at: the URL lives 24 h from generation (reference §10.2).
		if (auto updated = timestampField(t, "updated_at"))
			s.expiresAt = *updated + 86400;
		else if (s.completedAt)
			s.expiresAt = *s.completedAt + 86400;
	}

	if (s.state == TaskState::Succeeded) {
		if (s.videoUrl.empty())
			return makeError(ErrorKind::BadResponse, "Error.NoVideoUrl",
					 "completed task without a video URL", {{"task", s.id}});
		if (Error policy = checkUrlAllowed(s.videoUrl))
			// Not a transient fault: every later answer carries the same link. Said at once, with the task.
			return makeError(ErrorKind::BadResponse, "Error.VideoUrl.Refused",
					 "video URL refused: " + policy.detail,
					 {{"url", clip(stripQuery(s.videoUrl), 120)}, {"task", s.id}});
	} else if (s.state == TaskState::Failed) {
		Envelope env = readEnvelope(t);
		std::string statusLower = lower(s.status);
		if (statusLower == "expired")
			s.failure = makeError(ErrorKind::GenerationFailed, "Error.TaskExpired");
		else if (statusLower == "cancelled" || statusLower == "canceled")
			s.failure = makeError(ErrorKind::GenerationFailed, "Error.TaskCancelled");
		else if (mentionsContentPolicy(env.code) || mentionsContentPolicy(env.message))
			s.failure = makeError(ErrorKind::ContentRejected, "Error.ContentRejected");
		else
			s.failure = makeError(ErrorKind::GenerationFailed, "Error.GenerationFailed");
		s.failure.providerCode = clip(env.code, 80);
		s.failure.providerMessage = said(env.message);
		s.failure.detail = "task " + s.id + " " + s.status;
		s.failure.args["task"] = s.id;
	}
	return s;
}

Result<std::vector<std::string>> parseModelsResponse(const HttpResponse &r)
{
	if (!r.success())
		return errorFromResponse(r, Operation::Models);
	auto j = parseJson(r.body);
	if (!j)
		return badResponse("models answer is not JSON", Operation::Models);
	const json *list = nullptr;
	if (j->is_array())
		list = &*j;
	else if (j->is_object() && j->contains("data") && (*j)["data"].is_array())
		list = &(*j)["data"];
	if (!list)
		return badResponse("models answer has no data array", Operation::Models);
	std::vector<std::string> ids;
	for (const auto &m : *list) {
		std::string id = m.is_object() ? textField(m, "id") : asText(m);
		if (!id.empty())
			ids.push_back(clip(id, 120));
	}
	return ids;
}

} // namespace seedance::core
