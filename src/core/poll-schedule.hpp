// When to ask for a task's status next. Adaptive: the progress rate predicts completion, polls land just after
// the prediction, never faster than every 2 s nor slower than every 15 s, with jitter; 429 backs off to 120 s.
// Pure (no clock, no I/O): times are seconds on any monotonic scale, so benchmarks can simulate hours quickly.
#pragma once

#include <functional>
#include <optional>
#include <vector>

namespace seedance::core {

struct PollConfig {
	double firstDelay = 5.0;       // first poll after submit (reference: initial wait 5 s)
	double minInterval = 2.0;      // never poll faster
	double maxInterval = 15.0;     // never wait longer between polls (while not rate limited)
	double blindInterval = 10.0;   // cadence when no progress is reported (the documented fixed strategy)
	double maxJitter = 1.0;        // up to this much random delay, scaled down for short intervals
	double landingMargin = 0.4;    // aim this far past the predicted completion
	double rateLimitMax = 120.0;   // 429 back-off ceiling
	double deadline = 15.0 * 60.0; // give up after this long since submit
};

// `base` with every interval multiplied by SEEDANCE_POLL_SCALE (0 < scale ≤ 1) when that variable is set: tests
// and the offline demo run jobs of a few seconds. Without it, `base` unchanged.
PollConfig pollConfigFromEnvironment(PollConfig base = {});

class PollSchedule {
public:
	// `random01` returns uniform [0, 1); injectable for reproducible tests and benchmarks.
	PollSchedule(PollConfig config, double submitTime, std::function<double()> random01 = {});

	// Absolute time of the next poll, given what has been observed so far.
	double nextPollTime(double now) const;

	// Record a successful poll answer.
	void observe(double now, std::optional<int> progress);
	// A 429 (or 503 from the limiter): wait at least Retry-After, doubling up to rateLimitMax.
	void onRateLimited(double now, std::optional<double> retryAfter);
	// A network error or 5xx: back off gently without giving up.
	void onTransientError(double now);

	bool pastDeadline(double now) const { return now - submitTime_ >= config_.deadline; }
	// Predicted completion time, when progress allows a prediction.
	std::optional<double> predictedCompletion() const;
	int pollsObserved() const { return static_cast<int>(observations_.size()); }
	const PollConfig &config() const { return config_; }

private:
	struct Observation {
		double time;
		int progress;
	};
	double jitter(double interval) const;

	PollConfig config_;
	double submitTime_;
	std::function<double()> random01_;
	std::vector<Observation> observations_; // answers that reported progress > 0
	int answers_ = 0;
	double lastAnswer_ = 0;
	double backoffUntil_ = 0;  // earliest next poll after errors / 429
	double rateLimitStep_ = 0; // current 429 back-off interval
	double errorStep_ = 0;     // current transient-error back-off interval
	int overduePolls_ = 0;     // polls after the predicted completion without completion
};

} // namespace seedance::core
