// Shared by the libFuzzer targets: the invariant check that aborts (a finding), a readable input format for HTTP
// responses, and the checks every Error must pass wherever it came from.
#pragma once

#include "core/error.hpp"
#include "core/http-client.hpp"
#include "core/job-store.hpp"
#include "core/job.hpp"
#include "core/job/job-machine.hpp"
#include "core/log.hpp"
#include "core/redact.hpp"
#include "core/text.hpp"
#include "core/toapis-protocol.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

// An invariant of the code under test does not hold: libFuzzer records the input as a crash.
#define FUZZ_CHECK(cond)                                                                                          \
	do {                                                                                                      \
		if (!(cond)) {                                                                                    \
			std::fprintf(stderr, "fuzz invariant violated: %s (%s:%d)\n", #cond, __FILE__, __LINE__); \
			std::abort();                                                                             \
		}                                                                                                 \
	} while (0)

namespace seedance::fuzz {

// An API key as users paste it; registered once, it must never come out of redact(), userMessage() or describe().
inline constexpr std::string_view kSecret = "sk-fuzzSECRETkey0123456789";

// Log lines would only slow the fuzzer down (the log sink is where redaction is checked by the unit tests).
inline void init()
{
	core::setLogSink(nullptr);
	core::registerSecret(kSecret);
}

inline bool contains(std::string_view haystack, std::string_view needle)
{
	return haystack.find(needle) != std::string_view::npos;
}

inline std::string lower(std::string s)
{
	std::transform(s.begin(), s.end(), s.begin(),
		       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
	return s;
}

// Input format of the response targets, so that seeds are readable and the fuzzer can mutate status and headers:
//
//   HTTP 429                 status line ("ERR timeout" instead: a transport error, no status)
//   retry-after: 5           header lines, "name: value"
//                            blank line
//   {"error": ...}           the body, to the end
//
// Input that does not start with "HTTP " or "ERR " is a whole body answered with status 200.
inline core::HttpResponse responseFromInput(const std::uint8_t *data, size_t size)
{
	core::HttpResponse r;
	std::string text(reinterpret_cast<const char *>(data), size);
	bool http = text.rfind("HTTP ", 0) == 0;
	bool err = text.rfind("ERR ", 0) == 0;
	if (!http && !err) {
		r.status = 200;
		r.body = std::move(text);
		return r;
	}
	size_t eol = text.find('\n');
	std::string statusLine = text.substr(0, eol);
	if (http) {
		// At most 4 digits: any status a server sends fits, and stol() cannot overflow.
		size_t end = 5;
		while (end < statusLine.size() && end < 9 && std::isdigit(static_cast<unsigned char>(statusLine[end])))
			++end;
		r.status = end > 5 ? std::stol(statusLine.substr(5, end - 5)) : 0;
	} else {
		static const std::pair<const char *, core::TransportError> kErrors[] = {
			{"resolve", core::TransportError::Resolve},   {"connect", core::TransportError::Connect},
			{"timeout", core::TransportError::Timeout},   {"tls", core::TransportError::Tls},
			{"toolarge", core::TransportError::TooLarge}, {"cancelled", core::TransportError::Cancelled},
			{"policy", core::TransportError::Policy},     {"redirects", core::TransportError::Redirects},
			{"write", core::TransportError::Write},       {"network", core::TransportError::Network},
		};
		r.error = core::TransportError::Network;
		for (const auto &[name, error] : kErrors)
			if (statusLine.compare(4, std::string::npos, name) == 0)
				r.error = error;
		r.errorDetail = "curl: " + statusLine;
		r.finalUrl = "https://files.example.com/v.mp4?sig=" + std::string(kSecret);
	}
	size_t pos = eol == std::string::npos ? text.size() : eol + 1;
	while (pos < text.size()) {
		size_t end = text.find('\n', pos);
		std::string line = text.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
		pos = end == std::string::npos ? text.size() : end + 1;
		if (!line.empty() && line.back() == '\r')
			line.pop_back();
		if (line.empty())
			break;
		size_t colon = line.find(':');
		if (colon == std::string::npos)
			continue;
		std::string value = line.substr(colon + 1);
		value.erase(0, std::min(value.find_first_not_of(' '), value.size()));
		r.headers[lower(line.substr(0, colon))] = value;
	}
	r.body = text.substr(std::min(pos, text.size()));
	return r;
}

// Every Error reaches the user (userMessage), the log (describe) and the journal (the failed job keeps it).
inline void checkError(const core::Error &e)
{
	FUZZ_CHECK(e);
	// The user is told what to do: a translated sentence, never a bare key.
	FUZZ_CHECK(e.messageKey.rfind("Error.", 0) == 0);
	FUZZ_CHECK(core::text(e.messageKey) != e.messageKey);
	std::string user = core::userMessage(e);
	std::string line = core::describe(e);
	FUZZ_CHECK(!user.empty());
	FUZZ_CHECK(!contains(user, kSecret));
	FUZZ_CHECK(!contains(line, kSecret));
	// Provider text is clipped (300 bytes plus the ellipsis) and single-line before it is shown.
	FUZZ_CHECK(e.providerMessage.size() <= 300 + 3);
	FUZZ_CHECK(e.providerCode.size() <= 80 + 3);
	FUZZ_CHECK(e.providerMessage.find('\n') == std::string::npos);
	if (e.retryAfterSeconds)
		FUZZ_CHECK(std::isfinite(*e.retryAfterSeconds) && *e.retryAfterSeconds >= 0 &&
			   *e.retryAfterSeconds <= 86400);

	// A failed job carries the error into the journal: writing it must work, and reading it back must give the
	// same journal text.
	core::Job job;
	job.id = "job_fuzz";
	core::JobMachine::restore(job, core::JobState::Failed, core::JobState::Capturing);
	job.request.prompt = "fuzz";
	job.error = e;
	std::string journal = core::serializeJournal({job});
	auto back = core::parseJournal(journal);
	FUZZ_CHECK(back && back->size() == 1);
	FUZZ_CHECK(core::serializeJournal(*back) == journal);
	FUZZ_CHECK((*back)[0].error.kind == e.kind);
	FUZZ_CHECK((*back)[0].error.messageKey == e.messageKey);
}

// Nesting depth of a parsed JSON value (an empty array or object counts 1, a scalar 0).
inline int jsonDepth(const nlohmann::json &j)
{
	if (!j.is_structured())
		return 0;
	int deepest = 0;
	for (const auto &child : j)
		deepest = std::max(deepest, jsonDepth(child));
	return deepest + 1;
}

// The depth guard runs before every parse of a response body: on valid JSON it must say exactly whether the
// nesting passes the limit (a guard that says "too deep" for a legitimate answer would reject it, one that says
// "fine" for a deeper one would let the parser recurse without bound).
inline void checkDepthGuard(const std::string &body)
{
	// Below 200 levels the recursive jsonDepth above is safe; deeper input is the guard's own business.
	if (core::jsonTooDeep(body, 200))
		return;
	nlohmann::json j = nlohmann::json::parse(body, nullptr, false);
	if (j.is_discarded())
		return;
	// nlohmann::json stops reading at a NUL byte; the guard reads on, which can only make it stricter.
	std::string parsed = body.substr(0, body.find('\0'));
	int depth = jsonDepth(j);
	FUZZ_CHECK(core::jsonTooDeep(parsed, 64) == (depth > 64));
	FUZZ_CHECK(!core::jsonTooDeep(parsed, depth));
	if (depth > 0)
		FUZZ_CHECK(core::jsonTooDeep(parsed, depth - 1));
	if (depth > 64)
		FUZZ_CHECK(core::jsonTooDeep(body, 64));
}

} // namespace seedance::fuzz
