// Adaptive polling against simulated servers: bounds, prediction, Retry-After, deadline.
#include "test-framework.hpp"

#include "core/poll-schedule.hpp"

#include <cmath>

using namespace seedance::core;

namespace {
double noJitter()
{
	return 0.0;
}

struct Outcome {
	int requests = 0;
	double delay = 0;
	double minGap = 1e9;
	double maxGap = 0;
};

// A server that queues for `queue` s, then reports integer progress rising linearly until `done`.
Outcome simulate(double done, double queue, bool reportsProgress)
{
	PollSchedule s(PollConfig{}, 0.0, noJitter);
	double now = 0, last = 0;
	Outcome o;
	while (true) {
		double t = s.nextPollTime(now);
		if (o.requests > 0) {
			o.minGap = std::min(o.minGap, t - last);
			o.maxGap = std::max(o.maxGap, t - last);
		}
		now = last = t;
		++o.requests;
		if (now >= done) {
			o.delay = now - done;
			return o;
		}
		std::optional<int> progress;
		if (reportsProgress)
			progress = now < queue ? 0
					       : static_cast<int>(std::floor(100.0 * (now - queue) / (done - queue)));
		s.observe(now, progress);
	}
}
} // namespace

TEST_CASE("the first poll comes 5 s after submit", "[poll]")
{
	PollSchedule s(PollConfig{}, 100.0, noJitter);
	CHECK(s.nextPollTime(100.0) == Approx(105.0));
}

TEST_CASE("polls land just after the predicted completion with few requests", "[poll]")
{
	for (double done : {30.0, 60.0, 120.0}) {
		INFO("job of " << done << " s");
		Outcome adaptive = simulate(done, 3.0, true);
		CHECK(adaptive.delay <= 2.5);
		CHECK(adaptive.minGap >= 2.0 - 1e-9);
		CHECK(adaptive.maxGap <= 15.0 + 1e-9);
		int fixedRequests = static_cast<int>(std::ceil((done - 5.0) / 10.0)) + 1;
		CHECK(adaptive.requests <= fixedRequests);
	}
}

TEST_CASE("without progress the documented cadence is kept", "[poll]")
{
	Outcome blind = simulate(60.0, 3.0, false);
	CHECK(blind.requests == 7); // 5, 15, 25, 35, 45, 55, 65
	CHECK(blind.delay == Approx(5.0));
}

TEST_CASE("poll schedule honours Retry-After and backs off up to 120 s on 429", "[poll]")
{
	PollSchedule s(PollConfig{}, 0.0, noJitter);
	s.onRateLimited(5.0, 30.0);
	CHECK(s.nextPollTime(5.0) >= 35.0);
	double now = 35.0;
	double previous = 0;
	for (int i = 0; i < 6; ++i) {
		s.onRateLimited(now, std::nullopt);
		double next = s.nextPollTime(now);
		CHECK(next - now >= previous - 1e-9);
		CHECK(next - now <= 120.0 + 1e-9);
		previous = next - now;
		now = next;
	}
	CHECK(previous == Approx(120.0));
	s.observe(now, 10);
	CHECK(s.nextPollTime(now) - now <= 15.0 + 1e-9); // a good answer resets the back-off
}

TEST_CASE("jitter stays within the documented second", "[poll]")
{
	PollSchedule s(PollConfig{}, 0.0, [] { return 0.999; });
	CHECK(s.nextPollTime(0.0) <= 6.0);
	s.observe(5.0, std::nullopt);
	double next = s.nextPollTime(5.0);
	CHECK(next >= 15.0);
	CHECK(next <= 16.0);
}

TEST_CASE("overdue polls start at 2 s and slow down to 15 s", "[poll]")
{
	PollSchedule s(PollConfig{}, 0.0, noJitter);
	s.observe(5.0, 10);
	s.observe(15.0, 30);
	s.observe(30.0, 60);
	double predicted = *s.predictedCompletion(); // ~50
	double now = s.nextPollTime(30.0);
	CHECK(now <= predicted + 1.0);
	std::vector<double> gaps;
	for (int i = 0; i < 10; ++i) {
		s.observe(now, 99); // stuck at 99
		double next = s.nextPollTime(now);
		gaps.push_back(next - now);
		now = next;
	}
	CHECK(gaps.front() >= 2.0 - 1e-9);
	CHECK(gaps.back() <= 15.0 + 1e-9);
	CHECK(gaps.back() > gaps.front());
}

TEST_CASE("a task stuck at its first progress reading is polled less and less often", "[poll]")
{
	// Progress 50 at the first poll, then never again: the rough prediction (5 s more) passes and the task
	// stalls. Polling every 2 s for as long as it stalls would cost 20 jobs 10 requests a second.
	PollSchedule s(PollConfig{}, 0.0, noJitter);
	double now = s.nextPollTime(0.0);
	std::vector<double> gaps;
	for (int i = 0; i < 12; ++i) {
		s.observe(now, 50);
		double next = s.nextPollTime(now);
		gaps.push_back(next - now);
		now = next;
	}
	for (double gap : gaps)
		CHECK(gap >= 2.0 - 1e-9);
	CHECK(gaps.back() == Approx(15.0));
	// Once overdue, each wait is at least the one before (2 s, 3 s, 4.5 s, ... 15 s).
	for (size_t i = 2; i < gaps.size(); ++i)
		CHECK(gaps[i] >= gaps[i - 1] - 1e-9);
}

TEST_CASE("the deadline is 15 minutes by default", "[poll]")
{
	PollSchedule s(PollConfig{}, 10.0, noJitter);
	CHECK_FALSE(s.pastDeadline(10.0 + 899));
	CHECK(s.pastDeadline(10.0 + 900));
}
