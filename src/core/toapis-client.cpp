// ToAPIs client: requests, retries, polling loop and verified downloads.
#include "toapis-client.hpp"

#include "file-util.hpp"
#include "image-info.hpp"
#include "log.hpp"
#include "redact.hpp"

#include <nlohmann/json.hpp>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

namespace seedance::core {

namespace {

constexpr double kProgressIntervalSeconds = 0.25; // download progress reports, at most this often

std::chrono::milliseconds toMs(double seconds)
{
	return std::chrono::milliseconds(static_cast<long long>(seconds * 1000.0 + 0.5));
}

Error cancelledError()
{
	return makeError(ErrorKind::Cancelled, "Error.Cancelled", "cancelled");
}

bool isFatalPollError(const Error &e)
{
	switch (e.kind) {
	case ErrorKind::Auth:
	case ErrorKind::Quota:
	case ErrorKind::Permission:
	case ErrorKind::NotFound:
	case ErrorKind::InvalidInput:
	case ErrorKind::Tls:
	case ErrorKind::Cancelled:
		return true;
	case ErrorKind::BadResponse:
		// The task is done but its link is unusable: every later answer says the same.
		return e.messageKey == "Error.NoVideoUrl" || e.messageKey == "Error.VideoUrl.Refused";
	default:
		return false;
	}
}

// Whether an ISO BMFF file (MP4/MOV) is whole: its top-level boxes tile the file exactly and one of them is
// "moov". A cut file (a Content-Length that lied short, a host that stopped early) starts like a clip, passes the
// length check, and does not play.
bool isoBoxesComplete(const std::string &path, std::uint64_t size)
{
	std::ifstream in(std::filesystem::u8path(path), std::ios::binary);
	if (!in)
		return false;
	auto be = [](const unsigned char *p, int n) {
		std::uint64_t v = 0;
		for (int i = 0; i < n; ++i)
			v = (v << 8) | p[i];
		return v;
	};
	bool moov = false;
	for (std::uint64_t offset = 0; offset < size;) {
		unsigned char head[16];
		if (size - offset < 8 || !in.seekg(static_cast<std::streamoff>(offset)) ||
		    !in.read(reinterpret_cast<char *>(head), 8))
			return false;
		std::uint64_t box = be(head, 4);
		std::uint64_t header = 8;
		if (box == 1) { // 64-bit size follows the type
			if (size - offset < 16 || !in.read(reinterpret_cast<char *>(head + 8), 8))
				return false;
			box = be(head + 8, 8);
			header = 16;
		} else if (box == 0) { // extends to the end of the file
			box = size - offset;
		}
		if (box < header || box > size - offset)
			return false;
		moov = moov || std::memcmp(head + 4, "moov", 4) == 0;
		offset += box;
	}
	return moov;
}

bool isEbml(const unsigned char *d, size_t n)
{
	return n >= 4 && d[0] == 0x1A && d[1] == 0x45 && d[2] == 0xDF && d[3] == 0xA3;
}

std::string trimSlash(std::string s)
{
	while (!s.empty() && s.back() == '/')
		s.pop_back();
	return s;
}

} // namespace

double monotonicSeconds()
{
	using namespace std::chrono;
	return duration<double>(steady_clock::now().time_since_epoch()).count();
}

bool looksLikeVideoContainer(const unsigned char *d, size_t n)
{
	if (n >= 4 && d[0] == 0x1A && d[1] == 0x45 && d[2] == 0xDF && d[3] == 0xA3)
		return true; // EBML: WebM / Matroska
	if (n < 8)
		return false;
	static const char *boxes[] = {"ftyp", "moov", "mdat", "free", "wide", "skip", "pnot"};
	for (const char *box : boxes)
		if (std::memcmp(d + 4, box, 4) == 0)
			return true;
	return false;
}

ToApisClient::ToApisClient(HttpEngine &engine, ClientConfig config) : engine_(engine), config_(std::move(config))
{
	config_.baseUrl = trimSlash(config_.baseUrl);
	registerSecret(config_.apiKey);
}

Error ToApisClient::checkConfig() const
{
	if (config_.apiKey.empty())
		return makeError(ErrorKind::Auth, "Error.NoKey", "no API key configured");
	if (config_.apiKey.find_first_of("\r\n") != std::string::npos)
		return makeError(ErrorKind::Auth, "Error.Auth", "API key contains a line break");
	if (Error e = checkUrlAllowed(config_.baseUrl)) {
		e.messageKey = "Error.BaseUrl";
		e.args["url"] = stripQuery(config_.baseUrl);
		return e;
	}
	return {};
}

std::string ToApisClient::endpoint(const std::string &path) const
{
	return config_.baseUrl + path;
}

double ToApisClient::random01()
{
	static thread_local std::mt19937_64 rng{std::random_device{}()};
	return std::uniform_real_distribution<double>(0.0, 1.0)(rng);
}

HttpRequest ToApisClient::jsonRequest(const std::string &method, const std::string &path) const
{
	HttpRequest r;
	r.method = method;
	r.url = endpoint(path);
	r.headers = {"Authorization: Bearer " + config_.apiKey, "Accept: application/json"};
	r.connectTimeout = config_.connectTimeout;
	r.totalTimeout = config_.requestTimeout;
	r.stallTimeout = config_.stallTimeout;
	r.maxResponseBytes = config_.maxJsonBytes;
	return r;
}

HttpResponse ToApisClient::send(const HttpRequest &request, const CancelToken &cancel, CallStats *stats,
				bool (*retryable)(const HttpResponse &))
{
	HttpResponse response;
	for (int attempt = 1;; ++attempt) {
		response = engine_.perform(request, &cancel);
		if (stats)
			++stats->attempts;
		if (response.success() || !retryable || !retryable(response) || attempt >= config_.retry.maxAttempts)
			return response;
		auto retryAfter = response.retryAfterSeconds();
		if (retryAfter && *retryAfter > config_.retry.maxRetryAfter)
			return response; // the caller reports when to try again
		double wait = retryDelay(config_.retry, attempt, retryAfter, random01());
		logInfo("retrying " + request.method + " " + stripQuery(request.url) + " in " +
			std::to_string(static_cast<int>(wait * 1000)) + " ms (attempt " + std::to_string(attempt) +
			" got " +
			(response.transportOk() ? "HTTP " + std::to_string(response.status) : response.errorDetail) +
			")");
		if (stats)
			stats->waits.push_back(wait);
		if (cancel.waitFor(toMs(wait)))
			return response.transportOk() ? HttpResponse{} : response;
	}
}

Result<UploadResult> ToApisClient::uploadImage(const std::string &bytes, const std::string &filename,
					       const CancelToken &cancel, CallStats *stats)
{
	if (Error e = checkConfig())
		return e;
	if (Error e = checkUploadable(bytes, filename))
		return e;
	auto info = probeImage(bytes);
	HttpRequest r = jsonRequest("POST", "/v1/uploads/images");
	r.formFields = {{"purpose", "generation"}};
	std::string name = "frame." + std::string(fileExtension(info->format));
	r.formFiles.push_back({"file", name, mimeType(info->format), bytes});
	HttpResponse response = send(r, cancel, stats, isRetryable);
	if (cancel.cancelled())
		return cancelledError();
	return parseUploadResponse(response);
}

Result<TaskSnapshot> ToApisClient::createTask(const GenerationRequest &request, const ModelSpec &spec,
					      const CancelToken &cancel, CallStats *stats)
{
	if (Error e = checkConfig())
		return e;
	FramePlan frames{!request.firstFrameUrl.empty(), !request.lastFrameUrl.empty()};
	if (Error e = validateRequest(request, spec, frames))
		return e;
	HttpRequest r = jsonRequest("POST", "/v1/videos/generations");
	r.headers.push_back("Content-Type: application/json");
	r.freshConnection = true; // never resent by curl behind our back
	r.body = buildCreateBody(request, spec).dump();
	HttpResponse response = send(r, cancel, stats, isCreateRetryable);
	if (!response.success() && isCreateOutcomeUnknown(response)) {
		bool accepted = response.status >= 200 && response.status < 300; // then the answer broke or overflowed
		Error e = makeError(ErrorKind::OutcomeUnknown,
				    accepted ? "Error.OutcomeUnreadable" : "Error.OutcomeUnknown",
				    response.transportOk() ? "create answered HTTP " + std::to_string(response.status)
							   : "create failed after sending: " + response.errorDetail);
		e.httpStatus = static_cast<int>(response.status);
		return e;
	}
	if (cancel.cancelled() && !response.success())
		return cancelledError();
	auto parsed = parseTaskResponse(response, Operation::Create);
	if (!parsed && response.success()) {
		// HTTP 200 whose body we cannot read: the task probably exists, we just cannot see its id.
		Error e = parsed.error();
		e.kind = ErrorKind::OutcomeUnknown;
		e.messageKey = "Error.OutcomeUnreadable";
		return e;
	}
	return parsed;
}

Result<TaskSnapshot> ToApisClient::getTask(const std::string &taskId, const CancelToken &cancel, bool retry,
					   CallStats *stats)
{
	if (Error e = checkConfig())
		return e;
	if (taskId.empty() || taskId.find_first_of("/?#\\ \r\n\t") != std::string::npos)
		return makeError(ErrorKind::InvalidInput, "Error.Invalid.TaskId", "bad task id", {{"value", taskId}});
	HttpRequest r = jsonRequest("GET", "/v1/videos/generations/" + taskId);
	HttpResponse response = send(r, cancel, stats, retry ? isRetryable : nullptr);
	if (cancel.cancelled() && !response.success())
		return cancelledError();
	return parseTaskResponse(response, Operation::Query);
}

Result<std::vector<std::string>> ToApisClient::listModels(const CancelToken &cancel, CallStats *stats)
{
	if (Error e = checkConfig())
		return e;
	HttpResponse response = send(jsonRequest("GET", "/v1/models"), cancel, stats, isRetryable);
	if (cancel.cancelled() && !response.success())
		return cancelledError();
	return parseModelsResponse(response);
}

Result<TaskSnapshot> ToApisClient::waitForTask(const std::string &taskId, double submittedAt, const PollConfig &poll,
					       const CancelToken &cancel, const TaskProgressFn &onProgress,
					       CallStats *stats)
{
	PollSchedule schedule(poll, submittedAt);
	Error lastPollError; // the last poll failed (transient): said at the deadline instead of "not ready yet"
	while (true) {
		double now = monotonicSeconds();
		double wait = schedule.nextPollTime(now) - now;
		if (wait > 0 && cancel.waitFor(toMs(wait)))
			return cancelledError();
		if (cancel.cancelled())
			return cancelledError();

		auto result = getTask(taskId, cancel, false, stats);
		now = monotonicSeconds();
		lastPollError = result ? Error{} : result.error();
		if (result) {
			schedule.observe(now, result->progress);
			if (result->state == TaskState::Succeeded)
				return result;
			if (result->state == TaskState::Failed)
				return result->failure;
			if (onProgress) {
				auto predicted = schedule.predictedCompletion();
				std::optional<double> left;
				if (predicted)
					left = std::max(0.0, *predicted - now);
				onProgress(*result, left);
			}
		} else {
			const Error &e = result.error();
			if (isFatalPollError(e))
				return e;
			if (e.kind == ErrorKind::RateLimited || e.messageKey == "Error.SubmitUnavailable")
				schedule.onRateLimited(now, e.retryAfterSeconds);
			else
				schedule.onTransientError(now);
			logWarning("polling " + taskId + ": " + describe(e) + " (will keep trying)");
		}
		if (schedule.pastDeadline(now)) {
			if (lastPollError && lastPollError.kind != ErrorKind::BadResponse) {
				// Not a slow task but a lost connection: the streamer should look at the network, not wait.
				Error e = makeError(ErrorKind::Network, "Error.PollUnreachable",
						    "task " + taskId + ": polling failed until the deadline: " +
							    describe(lastPollError),
						    {{"task", taskId}});
				return e;
			}
			int minutes = static_cast<int>(poll.deadline / 60.0 + 0.5);
			return makeError(ErrorKind::Timeout, "Error.PollDeadline",
					 "task " + taskId + " not finished after " + std::to_string(minutes) + " min",
					 {{"task", taskId}, {"minutes", std::to_string(minutes)}});
		}
	}
}

Result<DownloadResult> ToApisClient::download(const std::string &url, const std::string &finalPath,
					      const CancelToken &cancel, const DownloadProgressFn &onProgress)
{
	if (Error e = checkUrlAllowed(url))
		return e;
	if (fileExists(finalPath))
		return makeError(ErrorKind::Disk, "Error.Disk.Exists", "will not overwrite " + finalPath,
				 {{"path", finalPath}});
	const std::string part = finalPath + ".part";
	DownloadResult out;
	out.path = finalPath;
	bool resumable = false;
	HttpResponse last;

	for (int attempt = 1;; ++attempt) {
		bool cutShort = false;
		std::uint64_t offset = 0;
		if (resumable)
			offset = fileSize(part).value_or(0);
		std::FILE *sink = nullptr;
#ifdef _WIN32
		sink = _wfopen(std::filesystem::u8path(part).c_str(), offset ? L"ab" : L"wb");
#else
		sink = std::fopen(part.c_str(), offset ? "ab" : "wb");
#endif
		if (!sink)
			return makeError(ErrorKind::Disk, "Error.Disk.Write",
					 "cannot create " + part + ": " + std::strerror(errno),
					 {{"path", part}, {"reason", std::strerror(errno)}});
		std::setvbuf(sink, nullptr, _IOFBF, kSinkBufferBytes); // whole blocks to the disk, not one per read

		HttpRequest r;
		r.url = url;
		r.connectTimeout = config_.connectTimeout;
		r.totalTimeout = std::chrono::milliseconds(0);
		r.stallTimeout = config_.stallTimeout;
		r.lowSpeedLimit = config_.minDownloadRate;
		r.maxResponseBytes = config_.maxVideoBytes;
		r.sink = sink;
		r.resumeFrom = offset;
		std::optional<std::uint64_t> total;
		std::uint64_t lastReported = 0;
		double lastReportedAt = 0;
		if (onProgress) {
			r.onBodyBytes = [&](std::uint64_t bytes, std::optional<std::uint64_t> fileTotal) {
				// This runs on the HTTP thread. At most every 256 KiB and 250 ms: each report is a journal-free
				// job update that reaches the dock and every websocket client, and a loopback or CDN download
				// at hundreds of MiB/s had sent thousands a second for a bar that moves 1 % at a time.
				const double now = monotonicSeconds();
				// Fewer bytes than last time: the server ignored the Range and sends the file from its start.
				if (bytes < lastReported)
					lastReported = 0;
				if (bytes >= lastReported + 256 * 1024 &&
				    now - lastReportedAt >= kProgressIntervalSeconds) {
					lastReported = bytes;
					lastReportedAt = now;
					onProgress(bytes, fileTotal);
				}
			};
		}
		// Downloads go to the storage host: no Authorization header at all.
		last = engine_.perform(r, &cancel);
		out.attempts = attempt;
		double syncStart = monotonicSeconds();
		bool synced = syncFile(sink); // the bytes reach the disk before the final name is published
		out.syncSeconds += monotonicSeconds() - syncStart;
		bool closed = std::fclose(sink) == 0;

		if (last.success()) {
			if (!synced || !closed)
				return makeError(ErrorKind::Disk, "Error.Disk.Write", "cannot flush " + part,
						 {{"path", part}, {"reason", std::strerror(errno)}});
			std::uint64_t have = fileSize(part).value_or(0);
			std::uint64_t base = last.status == 206 ? offset : 0;
			if (auto cl = last.header("content-length")) {
				try {
					total = base + std::stoull(*cl);
				} catch (...) {
				}
			}
			if (total && have != *total) {
				// Short body with a success status: retry (resuming) below.
				last.error = TransportError::Network;
				last.errorDetail =
					"got " + std::to_string(have) + " of " + std::to_string(*total) + " bytes";
			} else {
				unsigned char head[16] = {};
				std::FILE *f = std::fopen(part.c_str(), "rb");
				size_t got = f ? std::fread(head, 1, sizeof head, f) : 0;
				if (f)
					std::fclose(f);
				auto type = last.header("content-type").value_or("");
				if (!looksLikeVideoContainer(head, got) ||
				    type.find("text/html") != std::string::npos) {
					removeFile(part);
					return makeError(ErrorKind::BadResponse, "Error.Download.NotVideo",
							 "download is not a video (" + std::to_string(have) +
								 " bytes, type " + type + ")");
				}
				if (!isEbml(head, got) && !isoBoxesComplete(part, have)) {
					// A cut clip posing as a whole one: fetched again from the start below.
					last.error = TransportError::Network;
					last.errorDetail = "the clip is cut short (" + std::to_string(have) +
							   " bytes; its MP4 boxes do not add up)";
					cutShort = true;
				} else {
					if (Error e = renameNoReplace(part, finalPath)) {
						removeFile(part);
						return e;
					}
					out.bytes = have;
					out.resumed = offset > 0;
					if (onProgress)
						onProgress(have, have);
					return out;
				}
			}
		}

		if (cancel.cancelled()) {
			removeFile(part);
			return cancelledError();
		}
		if (last.error == TransportError::Write) {
			removeFile(part); // free the space: a full disk must not keep a half clip around
			Error e = makeError(ErrorKind::Disk, "Error.Disk.Full", last.errorDetail,
					    {{"path", finalPath},
					     {"reason", std::strerror(last.writeErrno ? last.writeErrno : EIO)}});
			return e;
		}
		if (last.transportOk() && !last.success() && !isRetryable(last)) {
			removeFile(part);
			return errorFromResponse(last, Operation::Download);
		}
		bool retry = last.error == TransportError::Network || isRetryable(last);
		if (!retry || attempt >= config_.retry.maxAttempts) {
			removeFile(part);
			if (last.transportOk())
				return makeError(ErrorKind::Network, "Error.Download.Incomplete", last.errorDetail);
			Error e = errorFromResponse(last, Operation::Download);
			if (last.error == TransportError::Network)
				e.messageKey = "Error.Download.Incomplete";
			else if (last.error == TransportError::Timeout)
				e.messageKey =
					"Error.Download.Stalled"; // no answer, or a trickle below minDownloadRate
			return e;
		}
		// Resume when the server said it serves ranges (or already answered one); a cut clip starts over.
		auto ranges = last.header("accept-ranges");
		resumable = !cutShort && ((ranges && ranges->find("bytes") != std::string::npos) || last.status == 206);
		double wait = retryDelay(config_.retry, attempt, last.retryAfterSeconds(), random01());
		logInfo("download of " + stripQuery(url) + " interrupted (" + last.errorDetail + "), retrying in " +
			std::to_string(static_cast<int>(wait * 1000)) + " ms" + (resumable ? ", resuming" : ""));
		if (cancel.waitFor(toMs(wait))) {
			removeFile(part);
			return cancelledError();
		}
	}
}

} // namespace seedance::core
