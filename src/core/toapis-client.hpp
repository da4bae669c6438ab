// The ToAPIs video client: upload a frame, create a task, poll it, download the clip. Blocking calls meant for
// worker threads (the job runner, the CLI); every wait honours the CancelToken.
#pragma once

#include "cancel-token.hpp"
#include "expected.hpp"
#include "generation-request.hpp"
#include "http-client.hpp"
#include "poll-schedule.hpp"
#include "retry.hpp"
#include "toapis-protocol.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace seedance::core {

constexpr const char *kDefaultBaseUrl = "https://toapis.com";

struct ClientConfig {
	std::string baseUrl = kDefaultBaseUrl;
	std::string apiKey;
	RetryPolicy retry;
	std::chrono::milliseconds connectTimeout{10000};
	std::chrono::milliseconds requestTimeout{60000}; // JSON calls and uploads
	std::chrono::seconds stallTimeout{30};           // a transfer moving < 1 byte/s this long is dropped
	// A download slower than this (bytes/s) for stallTimeout is dropped too: a body trickled a few bytes at a time
	// (slow loris) would otherwise hold a slot for hours. A real video host is far faster even on poor links.
	std::uint64_t minDownloadRate = 1024;
	std::uint64_t maxJsonBytes = 1u << 20;
	std::uint64_t maxVideoBytes = 1ull << 30;
};

// What a call did, for tests and logs: how many HTTP attempts, and each wait between them.
struct CallStats {
	int attempts = 0;
	std::vector<double> waits;
};

struct DownloadResult {
	std::string path;
	std::uint64_t bytes = 0;
	int attempts = 0;
	bool resumed = false;
	// Time spent making the clip durable (fsync before the rename), included in the call's duration. Reported
	// apart so benchmarks compare the transfer with `curl -o`, which does not sync.
	double syncSeconds = 0;
};

// Progress of a task while polling: the snapshot and the predicted seconds left (when known).
using TaskProgressFn = std::function<void(const TaskSnapshot &, std::optional<double> secondsLeft)>;
using DownloadProgressFn = std::function<void(std::uint64_t received, std::optional<std::uint64_t> total)>;

double monotonicSeconds();

class ToApisClient {
public:
	ToApisClient(HttpEngine &engine, ClientConfig config);

	const ClientConfig &config() const { return config_; }
	// No key, or a base URL that breaks the https rule: the error, before any request.
	Error checkConfig() const;

	Result<UploadResult> uploadImage(const std::string &bytes, const std::string &filename,
					 const CancelToken &cancel, CallStats *stats = nullptr);
	// Validates the request against `spec`, then POSTs it. Never resubmits once the outcome is unknown.
	Result<TaskSnapshot> createTask(const GenerationRequest &request, const ModelSpec &spec,
					const CancelToken &cancel, CallStats *stats = nullptr);
	// One status query; with `retry`, transient failures are retried per the policy.
	Result<TaskSnapshot> getTask(const std::string &taskId, const CancelToken &cancel, bool retry = true,
				     CallStats *stats = nullptr);
	Result<std::vector<std::string>> listModels(const CancelToken &cancel, CallStats *stats = nullptr);

	// Polls until the task succeeds or fails, the deadline passes, or `cancel` fires. `submittedAt` is
	// monotonicSeconds() at submit (or "now" when resuming).
	Result<TaskSnapshot> waitForTask(const std::string &taskId, double submittedAt, const PollConfig &poll,
					 const CancelToken &cancel, const TaskProgressFn &onProgress = {},
					 CallStats *stats = nullptr);

	// Streams `url` to `finalPath` + ".part", checks length and container, then renames to `finalPath`
	// (never overwriting). Resumes with Range after a dropped connection when the server allows.
	Result<DownloadResult> download(const std::string &url, const std::string &finalPath, const CancelToken &cancel,
					const DownloadProgressFn &onProgress = {});

	// "…/v1/videos/generations/<id>" etc.
	std::string endpoint(const std::string &path) const;

private:
	HttpRequest jsonRequest(const std::string &method, const std::string &path) const;
	// Sends with retries per `retryable`; returns the last response.
	HttpResponse send(const HttpRequest &request, const CancelToken &cancel, CallStats *stats,
			  bool (*retryable)(const HttpResponse &));
	double random01();

	HttpEngine &engine_;
	ClientConfig config_;
};

// Whether the first bytes look like an MP4/MOV (ISO BMFF box) or WebM/Matroska (EBML) file.
bool looksLikeVideoContainer(const unsigned char *data, size_t size);

} // namespace seedance::core
