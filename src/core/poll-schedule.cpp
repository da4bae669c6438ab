// Adaptive polling.
#include "poll-schedule.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <memory>
#include <random>

namespace seedance::core {

PollConfig pollConfigFromEnvironment(PollConfig poll)
{
	const char *value = std::getenv("SEEDANCE_POLL_SCALE");
	double f = value ? std::atof(value) : 0;
	if (f > 0 && f <= 1) {
		poll.firstDelay *= f;
		poll.minInterval *= f;
		poll.maxInterval *= f;
		poll.blindInterval *= f;
		poll.maxJitter *= f;
		poll.landingMargin *= f;
	}
	return poll;
}

PollSchedule::PollSchedule(PollConfig config, double submitTime, std::function<double()> random01)
	: config_(config),
	  submitTime_(submitTime),
	  random01_(std::move(random01))
{
	if (!random01_) {
		auto engine = std::make_shared<std::mt19937_64>(std::random_device{}());
		random01_ = [engine] {
			return std::uniform_real_distribution<double>(0.0, 1.0)(*engine);
		};
	}
}

double PollSchedule::jitter(double interval) const
{
	// Full documented jitter (0–1 s) on long waits; proportionally less on short ones, so a poll aimed at the
	// predicted completion does not drift far past it.
	double span = std::min(config_.maxJitter, interval * 0.1);
	return span * random01_();
}

std::optional<double> PollSchedule::predictedCompletion() const
{
	if (observations_.empty())
		return std::nullopt;
	const Observation &last = observations_.back();
	if (last.progress >= 100)
		return last.time;
	double rate = 0;
	// Rate from the oldest to the newest observation with progress: robust to integer rounding. With a single
	// observation the rate includes the queue time (unknown), so it underestimates speed: that prediction only
	// schedules the next observation, never a long wait.
	const Observation &first = observations_.front();
	if (observations_.size() >= 2 && last.time > first.time && last.progress > first.progress)
		rate = (last.progress - first.progress) / (last.time - first.time);
	else if (last.time > submitTime_)
		rate = last.progress / (last.time - submitTime_);
	// Progress that slows down near the end (common: the last percent takes longest) would keep the overall
	// rate's prediction just ahead and make every poll an "overdue" one. When the latest stretch is clearly
	// slower, predict from it.
	if (observations_.size() >= 3) {
		const Observation &prev = observations_[observations_.size() - 2];
		if (last.time - prev.time >= config_.minInterval) {
			double recent = (last.progress - prev.progress) / (last.time - prev.time);
			if (recent > 0 && recent < rate * 0.5)
				rate = recent;
		}
	}
	if (rate <= 0)
		return std::nullopt;
	return last.time + (100 - last.progress) / rate;
}

double PollSchedule::nextPollTime(double now) const
{
	double next;
	if (answers_ == 0) {
		// Exactly the documented first wait: submit times already spread clients, and jitter here would only
		// delay the blind cadence behind the documented one.
		next = submitTime_ + config_.firstDelay;
	} else if (auto predicted = predictedCompletion(); predicted && observations_.size() >= 2) {
		double target = *predicted + config_.landingMargin;
		if (overduePolls_ > 0) {
			// Past the prediction and not done: 2 s, then growing by half each time, up to 15 s.
			double interval =
				std::min(config_.maxInterval, config_.minInterval * std::pow(1.5, overduePolls_ - 1));
			next = lastAnswer_ + interval + jitter(interval);
		} else if (target - lastAnswer_ <= config_.maxInterval) {
			next = target + jitter(config_.minInterval);
		} else {
			next = lastAnswer_ + config_.maxInterval - jitter(config_.maxInterval);
		}
	} else if (!observations_.empty()) {
		// One progress reading: come back soon enough to measure a rate, but not before it can move. When the
		// progress stays where it was past the rough prediction (a stalled task), back off as when overdue
		// instead of polling every 2 s for as long as it stalls.
		auto rough = predictedCompletion();
		double interval = config_.maxInterval;
		if (overduePolls_ > 0)
			interval =
				std::min(config_.maxInterval, config_.minInterval * std::pow(1.5, overduePolls_ - 1));
		else if (rough)
			interval = std::clamp((*rough - lastAnswer_) * 0.5, config_.minInterval, config_.maxInterval);
		next = lastAnswer_ + interval - jitter(interval);
	} else {
		// No progress reported (queued, or a provider that never reports it): the documented cadence.
		next = lastAnswer_ + config_.blindInterval + jitter(config_.blindInterval);
	}
	next = std::max(next, lastAnswer_ + config_.minInterval);
	next = std::max(next, backoffUntil_);
	return std::max(next, now);
}

void PollSchedule::observe(double now, std::optional<int> progress)
{
	if (auto predicted = predictedCompletion(); predicted && now >= *predicted)
		++overduePolls_;
	++answers_;
	lastAnswer_ = now;
	rateLimitStep_ = 0;
	errorStep_ = 0;
	if (progress && *progress > 0) {
		if (observations_.empty() || *progress > observations_.back().progress) {
			observations_.push_back({now, *progress});
			overduePolls_ = 0; // new progress: the prediction is fresh again
		}
	}
}

void PollSchedule::onRateLimited(double now, std::optional<double> retryAfter)
{
	rateLimitStep_ = rateLimitStep_ <= 0 ? config_.blindInterval
					     : std::min(config_.rateLimitMax, rateLimitStep_ * 2);
	double wait = std::max(rateLimitStep_, retryAfter.value_or(0.0));
	wait = std::min(wait, std::max(config_.rateLimitMax, retryAfter.value_or(0.0)));
	backoffUntil_ = now + wait + jitter(wait);
	lastAnswer_ = now;
	++answers_;
}

void PollSchedule::onTransientError(double now)
{
	errorStep_ = errorStep_ <= 0 ? config_.minInterval : std::min(config_.maxInterval * 2, errorStep_ * 2);
	backoffUntil_ = now + errorStep_ + jitter(errorStep_);
	lastAnswer_ = now;
	++answers_;
}

} // namespace seedance::core
