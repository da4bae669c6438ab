// The obs-websocket vendor "obs-seedance": Generate, GetJob, ListJobs, CancelJob, GetDiagnostics, and the
// JobUpdated event, for Stream Deck, Touch Portal and scripts. A public contract (README "obs-websocket"). Callbacks run on
// obs-websocket's thread pool: they validate, hand the work to the JobRunner and answer at once; they never wait
// for a job. obs-websocket is optional: without it, nothing is registered.
#pragma once

#include "core/job-runner.hpp"
#include "core/job/job-spec.hpp"

#include <nlohmann/json.hpp>
#include <obs.h>

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace seedance::obs {

// The UI stall probe's reading (README "Performance"), when OBS runs with SEEDANCE_UI_STALL_PROBE=1.
struct UiProbeReading {
	double longestGapMs = 0;
	double windowMs = 0;
};

struct VendorHost {
	std::function<core::JobRunner *()> runner;     // null until OBS has finished loading
	std::function<core::SpecDefaults()> defaults;  // for omitted options (no secret in here)
	std::function<std::string()> currentSceneName; // the program scene now (thread-safe)
	// GetDiagnostics: the UI stall probe, if on; `reset` starts a new window (thread-safe).
	std::function<std::optional<UiProbeReading>(bool reset)> uiProbe;
};

class WebSocketVendor {
public:
	static constexpr const char *kVendorName = "obs-seedance";

	explicit WebSocketVendor(VendorHost host);
	~WebSocketVendor();

	// In obs_module_post_load: obs-websocket exists by then (if installed). Returns false without it.
	bool registerRequests();
	// At EXIT (obs-websocket is still alive then).
	void unregisterRequests();
	bool registered() const { return vendor_ != nullptr; }

	// Starts/stops emitting JobUpdated for the runner's jobs.
	void attach(core::JobRunner *runner);
	void detach();

	// The request handlers, public for tests: they read request JSON and return response JSON.
	nlohmann::json handleGenerate(const nlohmann::json &request);
	nlohmann::json handleGetJob(const nlohmann::json &request);
	nlohmann::json handleListJobs(const nlohmann::json &request);
	nlohmann::json handleCancelJob(const nlohmann::json &request);
	nlohmann::json handleGetDiagnostics(const nlohmann::json &request);

private:
	static void dispatch(obs_data_t *request, obs_data_t *response, void *priv);
	void emitJobUpdated(const core::Job &job);

	VendorHost host_;
	void *vendor_ = nullptr;
	proc_handler_t *ph_ = nullptr;
	core::JobRunner *attached_ = nullptr;
	int listener_ = 0;
	std::mutex emitMutex_;
	std::map<std::string, std::pair<core::JobState, std::int64_t>> lastEmitted_; // id → (state, ms)
	struct Route;
	std::vector<std::unique_ptr<Route>> routes_;
};

} // namespace seedance::obs
