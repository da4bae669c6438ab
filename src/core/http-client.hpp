// HTTP over libcurl: one curl multi loop on its own thread serves every transfer of the process, so waits are
// cancellable at once (curl_multi_wakeup), connections are reused, and no caller thread ever sits in curl.
#pragma once

#include "cancel-token.hpp"
#include "error.hpp"

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace seedance::core {

enum class TransportError {
	None,
	Resolve,   // DNS failure
	Connect,   // refused / unreachable / connect timeout
	Timeout,   // the transfer took too long or stalled
	Tls,       // certificate or handshake failure
	TooLarge,  // the response passed its size cap
	Cancelled, // CancelToken or engine shutdown
	Policy,    // URL or redirect refused by the URL policy
	Redirects, // too many redirects
	Write,     // the sink (disk) refused the bytes
	Network,   // connection reset, empty reply, partial transfer…
};

struct MultipartFile {
	std::string field;
	std::string filename;
	std::string contentType;
	std::string data;
};

// Read and write size for a body streamed to a file (a clip): curl's read buffer and the file's stdio buffer.
constexpr long kSinkBufferBytes = 256 * 1024;

struct HttpRequest {
	std::string method = "GET";
	std::string url;
	std::vector<std::string> headers; // "Name: value"
	std::string body;                 // raw body (JSON); ignored for multipart
	std::vector<std::pair<std::string, std::string>> formFields;
	std::vector<MultipartFile> formFiles; // non-empty = multipart/form-data
	std::chrono::milliseconds connectTimeout{10000};
	std::chrono::milliseconds totalTimeout{60000}; // 0 = no overall limit (downloads rely on the stall limit)
	std::chrono::seconds stallTimeout{30};         // abort when fewer than lowSpeedLimit bytes/s flow this long
	std::uint64_t lowSpeedLimit = 1;               // bytes per second
	std::uint64_t maxResponseBytes = 1u << 20;     // JSON cap: 1 MiB
	std::FILE *sink = nullptr;                     // a 2xx body streams here instead of memory
	std::uint64_t resumeFrom = 0;                  // sends Range: bytes=N-
	int maxRedirects = 5;
	// A new connection, never reused afterwards: curl silently sends a request again when a reused connection
	// dies before any answer, and a create sent twice is billed twice.
	bool freshConnection = false;
	// Called on the HTTP thread as a sink's bytes arrive: the file's size so far, and its full size when the server
	// said it (Content-Length, plus resumeFrom for a 206 answer). Must be cheap.
	std::function<void(std::uint64_t fileBytes, std::optional<std::uint64_t> fileTotal)> onBodyBytes;
};

struct HttpResponse {
	long status = 0;
	std::string body; // the body in memory (for a sink transfer, only a non-2xx body, capped at 64 KiB)
	std::map<std::string, std::string> headers; // lower-case names, last value wins
	TransportError error = TransportError::None;
	std::string errorDetail; // curl's explanation, for logs
	int writeErrno = 0;      // errno when the sink refused bytes
	// Whether request bytes may have reached the server. False only when the failure happened before any
	// byte was sent (DNS, connect, TLS handshake): the basis for deciding whether a create may be retried.
	bool requestSent = false;
	std::uint64_t bodyBytes = 0; // bytes of the final response body received in this transfer
	bool sinkRestarted = false;  // a Range request got a full 200 response: the sink was truncated first
	std::string finalUrl;        // after redirects (may carry a signed query: never log it unredacted)
	std::string refusedRedirect; // a redirect target the URL policy refused (query stripped), for the message

	bool transportOk() const { return error == TransportError::None; }
	bool success() const { return transportOk() && status >= 200 && status < 300; }
	std::optional<std::string> header(const std::string &lowerName) const;
	// Retry-After as seconds from now (delta-seconds or HTTP-date), when present and sane (≤ 1 day).
	std::optional<double> retryAfterSeconds() const;
};

// Base URL rule (architecture contract): https:// anywhere; http:// only to loopback hosts.
bool isLoopbackHost(const std::string &host);
Error checkUrlAllowed(const std::string &url);
// Host part of a URL, lower-case ("" when unparseable).
std::string urlHost(const std::string &url);

std::string defaultUserAgent();

class HttpEngine {
public:
	explicit HttpEngine(std::string userAgent = defaultUserAgent());
	~HttpEngine();
	HttpEngine(const HttpEngine &) = delete;
	HttpEngine &operator=(const HttpEngine &) = delete;

	// Runs the request to completion, following redirects within the URL policy (Authorization is dropped
	// when a redirect leaves the original host). Blocks the calling thread (never call it on the UI or
	// graphics thread); returns within milliseconds of `cancel` firing or of shutdown().
	HttpResponse perform(const HttpRequest &request, const CancelToken *cancel = nullptr);

	// Aborts every transfer and joins the loop thread. perform() fails at once afterwards. Idempotent.
	void shutdown();

	struct Impl;

private:
	std::shared_ptr<Impl> impl_;
};

} // namespace seedance::core
