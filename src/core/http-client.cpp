// libcurl transfers on one multi loop thread: timeouts, caps, TLS verification, URL policy, cancellation.
#include "http-client.hpp"

#include "log.hpp"
#include "redact.hpp"
#include "thread-name.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <condition_variable>
#include <ctime>
#include <deque>
#include <mutex>
#include <thread>

#ifdef _WIN32
#include <io.h>
#else
#include <unistd.h>
#endif

namespace seedance::core {

namespace {

constexpr std::uint64_t kErrorBodyCap = 64 * 1024;

std::string lower(std::string s)
{
	std::transform(s.begin(), s.end(), s.begin(),
		       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
	return s;
}

void globalInit()
{
	static std::once_flag once;
	std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct CurlUrl {
	CURLU *h = curl_url();
	~CurlUrl() { curl_url_cleanup(h); }
	std::string get(CURLUPart part) const
	{
		char *value = nullptr;
		if (curl_url_get(h, part, &value, 0) != CURLUE_OK || !value)
			return {};
		std::string out(value);
		curl_free(value);
		return out;
	}
};

// One in-flight transfer; shared between the caller waiting on it and the loop thread.
struct Transfer {
	const HttpRequest *request = nullptr;
	std::string url;
	std::string method;
	bool sendBody = true;
	bool dropAuth = false;
	CURL *easy = nullptr;
	curl_slist *headerList = nullptr;
	curl_mime *mime = nullptr;
	char errorBuffer[CURL_ERROR_SIZE] = {};
	HttpResponse response;
	bool tooLarge = false;
	bool writeFailed = false;

	std::mutex mutex;
	std::condition_variable cv;
	bool done = false;
	std::atomic<bool> cancelRequested{false};

	~Transfer()
	{
		if (easy)
			curl_easy_cleanup(easy);
		if (headerList)
			curl_slist_free_all(headerList);
		if (mime)
			curl_mime_free(mime);
	}
};

bool truncateSink(std::FILE *file)
{
	if (std::fflush(file) != 0)
		return false;
#ifdef _WIN32
	if (_chsize_s(_fileno(file), 0) != 0)
		return false;
#else
	if (ftruncate(fileno(file), 0) != 0)
		return false;
#endif
	return std::fseek(file, 0, SEEK_SET) == 0;
}

size_t onWrite(char *data, size_t size, size_t count, void *userdata)
{
	auto *t = static_cast<Transfer *>(userdata);
	size_t n = size * count;
	long status = 0;
	curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &status);
	bool toSink = t->request->sink && status >= 200 && status < 300;
	std::uint64_t cap = toSink || !t->request->sink ? t->request->maxResponseBytes : kErrorBodyCap;
	std::uint64_t already = toSink && status == 206 ? t->request->resumeFrom : 0;
	if (already + t->response.bodyBytes + n > cap) {
		t->tooLarge = true;
		return 0;
	}
	if (toSink && t->request->resumeFrom > 0 && status == 200 && !t->response.sinkRestarted) {
		// The server ignored Range and sends the whole file: start the sink over.
		if (!truncateSink(t->request->sink)) {
			t->writeFailed = true;
			t->response.writeErrno = errno ? errno : EIO;
			return 0;
		}
		t->response.sinkRestarted = true;
	}
	if (toSink) {
		errno = 0;
		if (std::fwrite(data, 1, n, t->request->sink) != n) {
			t->writeFailed = true;
			t->response.writeErrno = errno ? errno : EIO;
			return 0;
		}
	} else {
		t->response.body.append(data, n);
	}
	t->response.bodyBytes += n;
	if (toSink && t->request->onBodyBytes) {
		curl_off_t length = -1;
		curl_easy_getinfo(t->easy, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length);
		std::optional<std::uint64_t> total;
		if (length >= 0)
			total = already + static_cast<std::uint64_t>(length);
		t->request->onBodyBytes(already + t->response.bodyBytes, total);
	}
	return n;
}

size_t onHeader(char *data, size_t size, size_t count, void *userdata)
{
	auto *t = static_cast<Transfer *>(userdata);
	size_t n = size * count;
	std::string line(data, n);
	while (!line.empty() && (line.back() == '\r' || line.back() == '\n'))
		line.pop_back();
	if (line.rfind("HTTP/", 0) == 0) {
		t->response.headers.clear(); // a new response (1xx or after a redirect) starts
		return n;
	}
	size_t colon = line.find(':');
	if (colon != std::string::npos && colon > 0) {
		std::string value = line.substr(colon + 1);
		size_t b = value.find_first_not_of(" \t");
		value = b == std::string::npos ? std::string() : value.substr(b);
		t->response.headers[lower(line.substr(0, colon))] = value;
	}
	return n;
}

TransportError classify(CURLcode code)
{
	switch (code) {
	case CURLE_OK:
		return TransportError::None;
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
		return TransportError::Resolve;
	case CURLE_COULDNT_CONNECT:
		return TransportError::Connect;
	case CURLE_OPERATION_TIMEDOUT:
		return TransportError::Timeout;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_INVALIDCERTSTATUS:
	case CURLE_SSL_CRL_BADFILE:
	case CURLE_USE_SSL_FAILED:
		return TransportError::Tls;
	case CURLE_FILESIZE_EXCEEDED:
		return TransportError::TooLarge;
	case CURLE_WRITE_ERROR:
		return TransportError::Write;
	case CURLE_UNSUPPORTED_PROTOCOL:
		return TransportError::Policy;
	default:
		return TransportError::Network;
	}
}

bool failedBeforeSending(TransportError e)
{
	return e == TransportError::Resolve || e == TransportError::Connect || e == TransportError::Tls ||
	       e == TransportError::Policy;
}

} // namespace

struct HttpEngine::Impl {
	std::string userAgent;
	CURLM *multi = nullptr;
	std::thread thread;

	std::mutex mutex; // guards everything below and the multi handle's wakeup after shutdown
	std::deque<std::shared_ptr<Transfer>> incoming;
	bool stopping = false;
	bool stopped = false;

	void loop();
	void finish(const std::shared_ptr<Transfer> &t, CURLcode code, bool cancelled);
	void wake()
	{
		std::lock_guard<std::mutex> lock(mutex);
		if (multi && !stopped)
			curl_multi_wakeup(multi);
	}
};

void HttpEngine::Impl::finish(const std::shared_ptr<Transfer> &t, CURLcode code, bool cancelled)
{
	HttpResponse &r = t->response;
	curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &r.status);
	long requestSize = 0;
	curl_easy_getinfo(t->easy, CURLINFO_REQUEST_SIZE, &requestSize);
	if (cancelled) {
		r.error = TransportError::Cancelled;
		r.errorDetail = "cancelled";
	} else if (t->tooLarge) {
		r.error = TransportError::TooLarge;
		r.errorDetail = "response exceeded " + std::to_string(t->request->maxResponseBytes) + " bytes";
	} else if (t->writeFailed) {
		r.error = TransportError::Write;
		r.errorDetail = "could not write the response body";
	} else {
		r.error = classify(code);
		if (r.error != TransportError::None)
			r.errorDetail = t->errorBuffer[0] ? t->errorBuffer : curl_easy_strerror(code);
		if (r.error == TransportError::Timeout && requestSize == 0 && r.status == 0) {
			// Timed out before any connection existed: the server was never reached (a connect timeout, or a
			// name lookup that never answered), which the streamer fixes differently from a server that
			// accepted and went silent. Nothing was sent either way.
			char *ip = nullptr;
			curl_easy_getinfo(t->easy, CURLINFO_PRIMARY_IP, &ip);
			curl_off_t lookup = 0;
			curl_easy_getinfo(t->easy, CURLINFO_NAMELOOKUP_TIME_T, &lookup);
			if (!ip || !*ip)
				r.error = lookup > 0 ? TransportError::Connect : TransportError::Resolve;
		}
	}
	r.requestSent = !failedBeforeSending(r.error) && (requestSize > 0 || r.status > 0);
	{
		std::lock_guard<std::mutex> lock(t->mutex);
		t->done = true;
	}
	t->cv.notify_all();
}

void HttpEngine::Impl::loop()
{
	std::vector<std::shared_ptr<Transfer>> active;
	while (true) {
		std::deque<std::shared_ptr<Transfer>> fresh;
		bool stop;
		{
			std::lock_guard<std::mutex> lock(mutex);
			fresh.swap(incoming);
			stop = stopping;
		}
		for (auto &t : fresh) {
			if (stop || t->cancelRequested) {
				finish(t, CURLE_ABORTED_BY_CALLBACK, true);
				continue;
			}
			curl_multi_add_handle(multi, t->easy);
			active.push_back(t);
		}
		for (auto it = active.begin(); it != active.end();) {
			if (stop || (*it)->cancelRequested) {
				auto t = *it;
				it = active.erase(it);
				curl_multi_remove_handle(multi, t->easy);
				finish(t, CURLE_ABORTED_BY_CALLBACK, true);
			} else {
				++it;
			}
		}
		if (stop)
			break;

		int running = 0;
		curl_multi_perform(multi, &running);
		int queued = 0;
		while (CURLMsg *msg = curl_multi_info_read(multi, &queued)) {
			if (msg->msg != CURLMSG_DONE)
				continue;
			auto it = std::find_if(active.begin(), active.end(),
					       [&](const auto &t) { return t->easy == msg->easy_handle; });
			if (it == active.end())
				continue;
			auto t = *it;
			active.erase(it);
			CURLcode result = msg->data.result;
			curl_multi_remove_handle(multi, t->easy);
			finish(t, result, false);
		}
		curl_multi_poll(multi, nullptr, 0, 1000, nullptr);
	}
}

std::optional<std::string> HttpResponse::header(const std::string &lowerName) const
{
	auto it = headers.find(lowerName);
	if (it == headers.end())
		return std::nullopt;
	return it->second;
}

std::optional<double> HttpResponse::retryAfterSeconds() const
{
	auto value = header("retry-after");
	if (!value || value->empty())
		return std::nullopt;
	const std::string &v = *value;
	if (std::all_of(v.begin(), v.end(), [](unsigned char c) { return std::isdigit(c) || c == '.'; })) {
		try {
			double seconds = std::stod(v);
			if (seconds >= 0 && seconds <= 86400)
				return seconds;
		} catch (...) {
		}
		return std::nullopt;
	}
	time_t when = curl_getdate(v.c_str(), nullptr);
	if (when <= 0)
		return std::nullopt;
	double delta = std::difftime(when, std::time(nullptr));
	if (delta > 86400)
		return std::nullopt;
	return std::max(0.0, delta);
}

bool isLoopbackHost(const std::string &hostIn)
{
	std::string host = lower(hostIn);
	if (host.size() > 2 && host.front() == '[' && host.back() == ']')
		host = host.substr(1, host.size() - 2);
	if (host == "localhost" || host == "::1")
		return true;
	// 127.0.0.0/8 only as a literal dotted quad (the form curl normalises hosts to): a name such as
	// "127.0.0.1.example.com" starts the same way and can resolve anywhere, which would send plain http off the
	// machine. Octets with leading zeros are refused too, since resolvers disagree on whether they are octal.
	if (host.rfind("127.", 0) != 0)
		return false;
	int octets = 0;
	for (size_t start = 0; start <= host.size(); ++octets) {
		size_t dot = std::min(host.find('.', start), host.size());
		std::string octet = host.substr(start, dot - start);
		if (octet.empty() || octet.size() > 3 || (octet.size() > 1 && octet[0] == '0') ||
		    !std::all_of(octet.begin(), octet.end(), [](unsigned char c) { return std::isdigit(c); }) ||
		    std::stoi(octet) > 255)
			return false;
		start = dot + 1;
	}
	return octets == 4;
}

std::string urlHost(const std::string &url)
{
	globalInit();
	CurlUrl u;
	if (curl_url_set(u.h, CURLUPART_URL, url.c_str(), 0) != CURLUE_OK)
		return {};
	return lower(u.get(CURLUPART_HOST));
}

Error checkUrlAllowed(const std::string &url)
{
	globalInit();
	CurlUrl u;
	std::string safe = stripQuery(url);
	if (url.empty() || curl_url_set(u.h, CURLUPART_URL, url.c_str(), 0) != CURLUE_OK)
		return makeError(ErrorKind::InvalidInput, "Error.Url.Invalid", "unparseable URL " + safe,
				 {{"url", safe}});
	std::string scheme = lower(u.get(CURLUPART_SCHEME));
	std::string host = u.get(CURLUPART_HOST);
	if (scheme == "https")
		return {};
	if (scheme == "http" && isLoopbackHost(host))
		return {};
	return makeError(ErrorKind::InvalidInput, "Error.Url.Insecure", "refused " + scheme + " URL " + safe,
			 {{"url", safe}});
}

std::string defaultUserAgent()
{
	return std::string("obs-seedance/") + SEEDANCE_VERSION;
}

HttpEngine::HttpEngine(std::string userAgent) : impl_(std::make_shared<Impl>())
{
	globalInit();
	impl_->userAgent = std::move(userAgent);
	impl_->multi = curl_multi_init();
	// Keep a modest pool; a job polls one host and downloads from another.
	curl_multi_setopt(impl_->multi, CURLMOPT_MAXCONNECTS, 16L);
	auto impl = impl_;
	impl_->thread = std::thread([impl] {
		setThreadName("seedance-http");
		impl->loop();
	});
}

HttpEngine::~HttpEngine()
{
	shutdown();
}

void HttpEngine::shutdown()
{
	{
		std::lock_guard<std::mutex> lock(impl_->mutex);
		if (impl_->stopped)
			return;
		impl_->stopping = true;
		curl_multi_wakeup(impl_->multi);
	}
	if (impl_->thread.joinable())
		impl_->thread.join();
	std::lock_guard<std::mutex> lock(impl_->mutex);
	curl_multi_cleanup(impl_->multi);
	impl_->multi = nullptr;
	impl_->stopped = true;
}

namespace {

HttpResponse immediateFailure(TransportError error, std::string detail)
{
	HttpResponse r;
	r.error = error;
	r.errorDetail = std::move(detail);
	return r;
}

bool prepareEasy(Transfer &t, const std::string &userAgent)
{
	const HttpRequest &req = *t.request;
	t.easy = curl_easy_init();
	if (!t.easy)
		return false;
	CURL *e = t.easy;
	curl_easy_setopt(e, CURLOPT_URL, t.url.c_str());
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t.errorBuffer);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
#else
	curl_easy_setopt(e, CURLOPT_PROTOCOLS, static_cast<long>(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L); // redirects are checked against the URL policy by hand
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
#ifdef _WIN32
	// As OBS does (curl_obs_set_revoke_setting): Schannel revocation checks fail behind many proxies.
	curl_easy_setopt(e, CURLOPT_SSL_OPTIONS, static_cast<long>(CURLSSLOPT_REVOKE_BEST_EFFORT));
#endif
	curl_easy_setopt(e, CURLOPT_USERAGENT, userAgent.c_str());
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(req.connectTimeout.count()));
	if (req.totalTimeout.count() > 0)
		curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(req.totalTimeout.count()));
	curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, static_cast<long>(std::max<std::uint64_t>(1, req.lowSpeedLimit)));
	curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, static_cast<long>(req.stallTimeout.count()));
	if (req.resumeFrom == 0)
		curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(req.maxResponseBytes));
	if (!req.sink)
		curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING,
				 ""); // JSON may be compressed; the cap counts decoded bytes
	if (req.sink) // a clip: larger reads mean fewer wake-ups, callbacks and writes for the same bytes
		curl_easy_setopt(e, CURLOPT_BUFFERSIZE, kSinkBufferBytes);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, onWrite);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, &t);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, onHeader);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, &t);
	if (req.freshConnection) {
		curl_easy_setopt(e, CURLOPT_FRESH_CONNECT, 1L);
		curl_easy_setopt(e, CURLOPT_FORBID_REUSE, 1L);
	}

	// A plain Range header rather than CURLOPT_RESUME_FROM: curl would fail a 200 answer, which we handle by
	// starting the sink over.
	if (req.resumeFrom > 0)
		t.headerList = curl_slist_append(t.headerList,
						 ("Range: bytes=" + std::to_string(req.resumeFrom) + "-").c_str());
	for (const auto &h : req.headers) {
		if (t.dropAuth && lower(h.substr(0, 14)) == "authorization:")
			continue;
		t.headerList = curl_slist_append(t.headerList, h.c_str());
	}
	if (t.sendBody && !req.formFiles.empty()) {
		t.mime = curl_mime_init(e);
		for (const auto &[name, value] : req.formFields) {
			curl_mimepart *part = curl_mime_addpart(t.mime);
			curl_mime_name(part, name.c_str());
			curl_mime_data(part, value.data(), value.size());
		}
		for (const auto &f : req.formFiles) {
			curl_mimepart *part = curl_mime_addpart(t.mime);
			curl_mime_name(part, f.field.c_str());
			curl_mime_filename(part, f.filename.c_str());
			curl_mime_type(part, f.contentType.c_str());
			curl_mime_data(part, f.data.data(), f.data.size());
		}
		curl_easy_setopt(e, CURLOPT_MIMEPOST, t.mime);
		// No "Expect: 100-continue" round trip for a few hundred kilobytes.
		t.headerList = curl_slist_append(t.headerList, "Expect:");
	} else if (t.method == "POST" || t.method == "PUT" || t.method == "PATCH") {
		const std::string &body = t.sendBody ? req.body : std::string();
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
		curl_easy_setopt(e, CURLOPT_COPYPOSTFIELDS, body.c_str());
		if (t.method != "POST")
			curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, t.method.c_str());
	} else if (t.method == "HEAD") {
		curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
	} else if (t.method != "GET") {
		curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, t.method.c_str());
	}
	if (t.headerList)
		curl_easy_setopt(e, CURLOPT_HTTPHEADER, t.headerList);
	return true;
}

} // namespace

HttpResponse HttpEngine::perform(const HttpRequest &request, const CancelToken *cancel)
{
	std::string url = request.url;
	std::string method = request.method;
	std::string originalHost = urlHost(url);
	bool sendBody = true;
	bool dropAuth = false;

	for (int hop = 0;; ++hop) {
		if (Error policy = checkUrlAllowed(url))
			return immediateFailure(TransportError::Policy, policy.detail);
		if (cancel && cancel->cancelled())
			return immediateFailure(TransportError::Cancelled, "cancelled");

		auto t = std::make_shared<Transfer>();
		t->request = &request;
		t->url = url;
		t->method = method;
		t->sendBody = sendBody;
		t->dropAuth = dropAuth;
		if (!prepareEasy(*t, impl_->userAgent))
			return immediateFailure(TransportError::Network, "curl_easy_init failed");

		{
			std::lock_guard<std::mutex> lock(impl_->mutex);
			if (impl_->stopping)
				return immediateFailure(TransportError::Cancelled, "HTTP engine stopped");
			impl_->incoming.push_back(t);
			curl_multi_wakeup(impl_->multi);
		}
		int callbackId = 0;
		if (cancel) {
			std::weak_ptr<Impl> weakImpl = impl_;
			std::weak_ptr<Transfer> weakTransfer = t;
			callbackId = cancel->onCancel([weakImpl, weakTransfer] {
				if (auto tr = weakTransfer.lock())
					tr->cancelRequested = true;
				if (auto impl = weakImpl.lock())
					impl->wake();
			});
		}
		{
			std::unique_lock<std::mutex> lock(t->mutex);
			t->cv.wait(lock, [&] { return t->done; });
		}
		if (cancel)
			cancel->removeCallback(callbackId);

		HttpResponse response = std::move(t->response);
		response.finalUrl = url;
		bool redirect = response.transportOk() &&
				(response.status == 301 || response.status == 302 || response.status == 303 ||
				 response.status == 307 || response.status == 308);
		if (!redirect)
			return response;

		char *location = nullptr;
		curl_easy_getinfo(t->easy, CURLINFO_REDIRECT_URL, &location);
		if (!location || !*location)
			return response; // a 3xx without Location is just a response
		if (hop + 1 > request.maxRedirects) {
			HttpResponse loop =
				immediateFailure(TransportError::Redirects,
						 "more than " + std::to_string(request.maxRedirects) + " redirects");
			loop.status = response.status;
			loop.requestSent = true;
			loop.finalUrl = url;
			return loop;
		}
		std::string next = location;
		if (Error policy = checkUrlAllowed(next)) {
			HttpResponse refused =
				immediateFailure(TransportError::Policy, "redirect refused: " + policy.detail);
			refused.status = response.status;
			refused.requestSent = true;
			refused.finalUrl = url;
			refused.refusedRedirect = stripQuery(next);
			return refused;
		}
		if (response.status == 301 || response.status == 302 || response.status == 303) {
			if (method != "GET" && method != "HEAD") {
				method = "GET";
				sendBody = false;
			}
		}
		if (urlHost(next) != originalHost)
			dropAuth = true; // never hand the API key to another host
		logDebug("following HTTP " + std::to_string(response.status) + " redirect to " + stripQuery(next));
		url = next;
	}
}

} // namespace seedance::core
