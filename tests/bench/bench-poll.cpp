// Benchmark (not a test): adaptive polling (core::PollSchedule) against the documented fixed strategy
// ("initial wait 5 s, poll every 10 s, adding 0-1 s of random jitter") on simulated jobs.
//
// The schedule is a pure function of the answers it observed (no clock, no I/O; jitter comes from an injected
// random source), so driving it with a simulated server on a simulated clock measures exactly what the client
// would do, without sleeping: tens of thousands of jobs take well under a second, and a given --seed always
// prints the same numbers.
//
// Usage: seedance-bench-poll [--runs N] [--seed S] [--json FILE] [--smoke]
// Exit status: 0 whether or not the goals are met; 2 on bad arguments or an internal failure.
#include "core/poll-schedule.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <iostream>
#include <limits>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

using seedance::core::PollConfig;
using seedance::core::PollSchedule;

namespace {

constexpr double kGoalMedianDelay = 2.5; // s, when progress is reported
constexpr int kMaxPollsPerRun = 100000;  // guards against a schedule that stops advancing
constexpr double kNoiseZ = 3.0;          // "not worse than fixed" allows this many standard errors of noise

// ---- Randomness: one independent, reproducible stream per (seed, configuration, run, purpose). ----

std::uint64_t splitmix64(std::uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

std::uint64_t streamSeed(std::uint64_t seed, std::uint64_t a, std::uint64_t b, std::uint64_t c)
{
	return splitmix64(splitmix64(splitmix64(splitmix64(seed) ^ a) ^ b) ^ c);
}

// Uniform [0, 1) from a 64-bit engine, identical on every platform (std::uniform_real_distribution is not).
double uniform01(std::mt19937_64 &engine)
{
	return static_cast<double>(engine() >> 11) * (1.0 / 9007199254740992.0);
}

// ---- Server model ----

enum class Variant { Linear, None, Nonlinear };

const char *variantName(Variant v)
{
	switch (v) {
	case Variant::Linear:
		return "linear";
	case Variant::None:
		return "none";
	case Variant::Nonlinear:
		return "nonlinear";
	}
	return "?";
}

const char *variantDescription(Variant v)
{
	switch (v) {
	case Variant::Linear:
		return "progress 0->100 linearly from the end of the queue to completion";
	case Variant::None:
		return "progress stays 0 until completed";
	case Variant::Nonlinear:
		return "progress 0->90 linearly until 0.7*D, then 90->99 linearly until D";
	}
	return "?";
}

struct Job {
	double duration; // completion time D (the server says "completed" at t >= D)
	double queue;    // queued (progress 0) until Q
	Variant variant;
};

struct Answer {
	bool completed;
	int progress;
};

Answer serverAnswer(const Job &job, double t)
{
	if (t >= job.duration)
		return {true, 100};
	if (t < job.queue || job.variant == Variant::None)
		return {false, 0};
	double fraction = 0;
	if (job.variant == Variant::Linear) {
		fraction = (t - job.queue) / (job.duration - job.queue);
	} else {
		double knee = 0.7 * job.duration;
		if (t < knee)
			fraction = 0.9 * (t - job.queue) / (knee - job.queue);
		else
			fraction = 0.9 + 0.09 * (t - knee) / (job.duration - knee);
	}
	int progress = static_cast<int>(std::floor(100.0 * fraction));
	return {false, std::clamp(progress, 0, 99)};
}

// ---- Strategies: both return when they first see "completed". ----

struct RunResult {
	double delay = 0; // detection time - completion time
	int requests = 0; // status queries, including the one that saw completion
	bool detected = false;
};

RunResult runAdaptive(const Job &job, const PollConfig &config, std::mt19937_64 &jitter)
{
	// Driven like ToApisClient::waitForTask: nextPollTime(now), query, observe(now, progress). The simulated
	// query answers instantly (loopback-like latency is negligible against seconds).
	PollSchedule schedule(config, 0.0, [&jitter] { return uniform01(jitter); });
	RunResult r;
	double now = 0;
	while (r.requests < kMaxPollsPerRun) {
		now = schedule.nextPollTime(now);
		if (schedule.pastDeadline(now))
			break;
		++r.requests;
		Answer a = serverAnswer(job, now);
		schedule.observe(now, a.progress);
		if (a.completed) {
			r.detected = true;
			r.delay = now - job.duration;
			break;
		}
	}
	return r;
}

RunResult runFixed(const Job &job, const PollConfig &config, std::mt19937_64 &jitter)
{
	// The documented strategy: initial wait 5 s, then every 10 s plus 0-1 s of uniform jitter.
	RunResult r;
	double now = 5.0;
	while (r.requests < kMaxPollsPerRun && now < config.deadline) {
		++r.requests;
		if (serverAnswer(job, now).completed) {
			r.detected = true;
			r.delay = now - job.duration;
			break;
		}
		now += 10.0 + uniform01(jitter);
	}
	return r;
}

// ---- Statistics ----

double quantile(std::vector<double> sorted, double q)
{
	if (sorted.empty())
		return std::numeric_limits<double>::quiet_NaN();
	double pos = q * static_cast<double>(sorted.size() - 1);
	size_t lo = static_cast<size_t>(std::floor(pos));
	size_t hi = std::min(lo + 1, sorted.size() - 1);
	return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - static_cast<double>(lo));
}

struct Stats {
	double medianDelay = 0;
	double p90Delay = 0;
	double meanDelay = 0;
	double maxDelay = 0;
	double meanRequests = 0;
	int maxRequests = 0;
	int undetected = 0;
};

Stats summarize(const std::vector<RunResult> &runs)
{
	Stats s;
	std::vector<double> delays;
	double requestSum = 0;
	for (const RunResult &r : runs) {
		requestSum += r.requests;
		s.maxRequests = std::max(s.maxRequests, r.requests);
		if (r.detected)
			delays.push_back(r.delay);
		else
			++s.undetected;
	}
	std::sort(delays.begin(), delays.end());
	s.medianDelay = quantile(delays, 0.5);
	s.p90Delay = quantile(delays, 0.9);
	s.maxDelay = delays.empty() ? std::numeric_limits<double>::quiet_NaN() : delays.back();
	double delaySum = 0;
	for (double d : delays)
		delaySum += d;
	s.meanDelay = delays.empty() ? std::numeric_limits<double>::quiet_NaN() : delaySum / delays.size();
	s.meanRequests = runs.empty() ? 0 : requestSum / runs.size();
	return s;
}

// Paired bootstrap of adaptive - fixed (the runs share their job): the differences of the median delays and
// of the mean request counts, and their standard errors. "Not worse than fixed" is judged against 1.96 standard
// errors, so that two strategies that behave the same are not called different because of simulation noise.
struct PairedDiff {
	double medianDelay = 0;
	double medianDelaySe = 0;
	double meanRequests = 0;
	double meanRequestsSe = 0;
};

double medianOf(std::vector<double> &v)
{
	size_t n = v.size();
	auto mid = v.begin() + static_cast<std::ptrdiff_t>(n / 2);
	std::nth_element(v.begin(), mid, v.end());
	double upper = *mid;
	if (n % 2 == 1)
		return upper;
	return (upper + *std::max_element(v.begin(), mid)) / 2.0;
}

PairedDiff pairedDiff(const std::vector<RunResult> &adaptive, const std::vector<RunResult> &fixed, std::mt19937_64 &rng,
		      int resamples)
{
	// Only runs where both strategies saw completion (all of them unless something is badly wrong).
	std::vector<double> a, f;
	std::vector<double> requestDiff;
	for (size_t i = 0; i < adaptive.size(); ++i) {
		requestDiff.push_back(adaptive[i].requests - fixed[i].requests);
		if (adaptive[i].detected && fixed[i].detected) {
			a.push_back(adaptive[i].delay);
			f.push_back(fixed[i].delay);
		}
	}
	PairedDiff d;
	if (a.empty())
		return d;
	auto meanOf = [](const std::vector<double> &v) {
		double sum = 0;
		for (double x : v)
			sum += x;
		return sum / static_cast<double>(v.size());
	};
	{
		std::vector<double> ca = a, cf = f;
		d.medianDelay = medianOf(ca) - medianOf(cf);
	}
	d.meanRequests = meanOf(requestDiff);
	double var = 0;
	for (double x : requestDiff)
		var += (x - d.meanRequests) * (x - d.meanRequests);
	d.meanRequestsSe = requestDiff.size() > 1 ? std::sqrt(var / (requestDiff.size() - 1) / requestDiff.size()) : 0;

	std::vector<double> diffs;
	std::vector<double> ra(a.size()), rf(a.size());
	for (int b = 0; b < resamples; ++b) {
		for (size_t i = 0; i < a.size(); ++i) {
			size_t k = static_cast<size_t>(uniform01(rng) * static_cast<double>(a.size()));
			ra[i] = a[k];
			rf[i] = f[k];
		}
		diffs.push_back(medianOf(ra) - medianOf(rf));
	}
	double mean = meanOf(diffs), dv = 0;
	for (double x : diffs)
		dv += (x - mean) * (x - mean);
	d.medianDelaySe = diffs.size() > 1 ? std::sqrt(dv / (diffs.size() - 1)) : 0;
	return d;
}

// ---- Command line ----

struct Options {
	int runs = 20000;
	int resamples = 100; // bootstrap resamples for the noise margins
	std::uint64_t seed = 1;
	std::string jsonPath;
	bool smoke = false;
};

[[noreturn]] void usage(const char *message)
{
	std::cerr << "seedance-bench-poll: " << message << "\n"
		  << "usage: seedance-bench-poll [--runs N] [--seed S] [--json FILE] [--smoke]\n";
	std::exit(2);
}

Options parseOptions(int argc, char **argv)
{
	Options o;
	bool runsGiven = false;
	for (int i = 1; i < argc; ++i) {
		std::string a = argv[i];
		auto value = [&]() -> std::string {
			if (i + 1 >= argc)
				usage(("missing value after " + a).c_str());
			return argv[++i];
		};
		try {
			if (a == "--runs") {
				o.runs = std::stoi(value());
				runsGiven = true;
			} else if (a == "--seed") {
				o.seed = std::stoull(value());
			} else if (a == "--json") {
				o.jsonPath = value();
			} else if (a == "--smoke") {
				o.smoke = true;
			} else if (a == "--help" || a == "-h") {
				std::cout
					<< "usage: seedance-bench-poll [--runs N] [--seed S] [--json FILE] [--smoke]\n"
					<< "  --runs N   simulated jobs per configuration (default 20000; --smoke: 200)\n"
					<< "  --seed S   random seed; the same seed prints the same numbers (default 1)\n"
					<< "  --json F   also write the results as JSON to F\n"
					<< "  --smoke    few runs, for CI\n";
				std::exit(0);
			} else {
				usage(("unknown option " + a).c_str());
			}
		} catch (const std::logic_error &) {
			usage(("bad value for " + a).c_str());
		}
	}
	if (o.smoke && !runsGiven) {
		o.runs = 200;
		o.resamples = 20;
	}
	if (o.runs < 1)
		usage("--runs must be at least 1");
	return o;
}

std::string fmt(const char *format, double v)
{
	char buf[64];
	std::snprintf(buf, sizeof buf, format, v);
	return buf;
}

// Rounds tiny values to zero so that "%+.2f" never prints "-0.00".
double tidy(double v)
{
	return std::fabs(v) < 0.005 ? 0.0 : v;
}

nlohmann::json number(double v)
{
	if (std::isnan(v))
		return nullptr;
	return std::round(v * 10000.0) / 10000.0; // stable, readable JSON
}

struct Row {
	int nominal;
	Variant variant;
	Stats adaptive;
	Stats fixed;
	PairedDiff diff;
	bool delayOk = false;
	bool requestsOk = false;
	std::string verdict; // PASS / MISS / "-" (no goal)
	std::string goal;
};

int run(const Options &o)
{
	auto started = std::chrono::steady_clock::now();
	const PollConfig config; // the product's defaults
	const int durations[] = {30, 60, 120};
	const Variant variants[] = {Variant::Linear, Variant::None, Variant::Nonlinear};

	std::vector<Row> rows;
	for (int d = 0; d < 3; ++d) {
		for (int v = 0; v < 3; ++v) {
			Row row{durations[d], variants[v], {}, {}};
			std::vector<RunResult> adaptive, fixed;
			adaptive.reserve(o.runs);
			fixed.reserve(o.runs);
			for (int i = 0; i < o.runs; ++i) {
				// The same job (D, Q) for both strategies and all variants of a run: paired comparison.
				std::mt19937_64 jobRng(
					streamSeed(o.seed, durations[d], static_cast<std::uint64_t>(i), 1));
				Job job;
				job.duration = durations[d] * (0.9 + 0.2 * uniform01(jobRng));
				job.queue = 2.0 + 6.0 * uniform01(jobRng);
				job.variant = variants[v];
				std::mt19937_64 adaptiveRng(streamSeed(o.seed, durations[d] * 10 + v, i, 2));
				std::mt19937_64 fixedRng(streamSeed(o.seed, durations[d] * 10 + v, i, 3));
				adaptive.push_back(runAdaptive(job, config, adaptiveRng));
				fixed.push_back(runFixed(job, config, fixedRng));
			}
			row.adaptive = summarize(adaptive);
			row.fixed = summarize(fixed);
			std::mt19937_64 bootRng(streamSeed(o.seed, durations[d] * 10 + v, 0, 4));
			row.diff = pairedDiff(adaptive, fixed, bootRng, o.resamples);
			bool allDetected = row.adaptive.undetected == 0;
			double requestMargin = kNoiseZ * row.diff.meanRequestsSe;
			if (row.variant == Variant::Linear) {
				row.goal = "median <= 2.5 s, mean requests <= fixed";
				row.delayOk = allDetected && row.adaptive.medianDelay <= kGoalMedianDelay;
				row.requestsOk = row.diff.meanRequests <= requestMargin;
				row.verdict = row.delayOk && row.requestsOk ? "PASS" : "MISS";
			} else if (row.variant == Variant::None) {
				row.goal = "median delay and mean requests <= fixed";
				row.delayOk = allDetected && row.diff.medianDelay <= kNoiseZ * row.diff.medianDelaySe;
				row.requestsOk = row.diff.meanRequests <= requestMargin;
				row.verdict = row.delayOk && row.requestsOk ? "PASS" : "MISS";
			} else {
				row.goal = "none (reported only)";
				row.delayOk = row.requestsOk = true;
				row.verdict = "-";
			}
			rows.push_back(row);
		}
	}
	double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

	// ---- Human-readable table ----
	std::printf("seedance-bench-poll: adaptive polling (core::PollSchedule, default PollConfig) vs the documented\n"
		    "fixed strategy (first poll at 5 s, then every 10 s + uniform 0-1 s jitter).\n\n");
	std::printf("Method: simulated time. PollSchedule is a pure function of the answers it observed (no clock,\n"
		    "no I/O, jitter from an injected random source), so driving it with a simulated server on a\n"
		    "simulated clock measures exactly what the client does, without sleeping. Queries answer\n"
		    "instantly. Each run draws the job's duration D = nominal +/-10%% (uniform) and a queue time\n"
		    "Q ~ U(2, 8) s; both strategies see the same job (paired). Progress is reported as an integer\n"
		    "(floor), capped at 99 until t >= D, when the status is completed.\n");
	std::printf("Variants: linear    = %s\n", variantDescription(Variant::Linear));
	std::printf("          none      = %s\n", variantDescription(Variant::None));
	std::printf("          nonlinear = %s\n", variantDescription(Variant::Nonlinear));
	std::printf("Delay = time the client first sees completed - completion time. Requests = status queries.\n\n");
	std::printf("runs per configuration: %d   seed: %llu   simulated jobs: %d   wall time: %.3f s\n\n", o.runs,
		    static_cast<unsigned long long>(o.seed), o.runs * 2 * static_cast<int>(rows.size()), elapsed);

	std::printf("%-5s %-10s %-9s %8s %8s %8s %8s %8s %8s  %s\n", "D (s)", "progress", "strategy", "median", "p90",
		    "mean", "max", "req", "req", "goal");
	std::printf("%-5s %-10s %-9s %8s %8s %8s %8s %8s %8s\n", "", "", "", "delay s", "delay s", "delay s", "delay s",
		    "mean", "max");
	std::printf("%s\n", std::string(100, '-').c_str());
	for (const Row &row : rows) {
		auto line = [&](const char *strategy, const Stats &s) {
			std::printf("%-5d %-10s %-9s %8s %8s %8s %8s %8s %8d\n", row.nominal, variantName(row.variant),
				    strategy, fmt("%.2f", s.medianDelay).c_str(), fmt("%.2f", s.p90Delay).c_str(),
				    fmt("%.2f", s.meanDelay).c_str(), fmt("%.2f", s.maxDelay).c_str(),
				    fmt("%.2f", s.meanRequests).c_str(), s.maxRequests);
		};
		line("fixed", row.fixed);
		line("adaptive", row.adaptive);
		std::string tail = row.verdict;
		if (row.verdict == "MISS") {
			tail += " (";
			if (!row.delayOk)
				tail += "delay";
			if (!row.delayOk && !row.requestsOk)
				tail += ", ";
			if (!row.requestsOk)
				tail += "requests";
			tail += ")";
		}
		std::printf("%-5s %-10s %-9s %8s %8s %8s %8s %8s %8s  %s\n", "", "", "ratio a/f",
			    fmt("%.2f", row.adaptive.medianDelay / row.fixed.medianDelay).c_str(), "", "", "",
			    fmt("%.2f", row.adaptive.meanRequests / row.fixed.meanRequests).c_str(), "", tail.c_str());
		std::printf("%-5s %-10s %-9s %8s %8s %8s %8s %8s %8s  noise margin %.2f s, %.2f req\n", "", "",
			    "diff a-f", fmt("%+.2f", tidy(row.diff.medianDelay)).c_str(), "", "", "",
			    fmt("%+.2f", tidy(row.diff.meanRequests)).c_str(), "", kNoiseZ * row.diff.medianDelaySe,
			    kNoiseZ * row.diff.meanRequestsSe);
		if (row.adaptive.undetected || row.fixed.undetected)
			std::printf("      ! undetected before the deadline: adaptive %d, fixed %d\n",
				    row.adaptive.undetected, row.fixed.undetected);
	}
	std::printf(
		"\nGoals: progress reported (linear): adaptive median delay <= %.1f s and mean requests <= fixed.\n"
		"       no progress (none): adaptive median delay <= fixed and mean requests <= fixed.\n"
		"       nonlinear: no goal; shows the overdue behaviour when the prediction is early.\n"
		"\"<= fixed\" means the paired difference adaptive - fixed (line \"diff a-f\") is at most its noise\n"
		"margin: %.1f standard errors (paired bootstrap, %d resamples, for the median; paired t for the mean),\n"
		"so identical behaviour is not reported as a miss because of simulation noise.\n",
		kGoalMedianDelay, kNoiseZ, o.resamples);
	int misses = 0;
	for (const Row &row : rows)
		misses += row.verdict == "MISS";
	std::printf("Summary: %d of %d goal rows met.\n", 6 - misses, 6);
	if (o.smoke)
		std::printf("(smoke run: %d runs per configuration, too few for meaningful verdicts)\n", o.runs);

	// ---- JSON ----
	if (!o.jsonPath.empty()) {
		auto statsJson = [](const Stats &s) {
			return nlohmann::json{{"median_delay_s", number(s.medianDelay)},
					      {"p90_delay_s", number(s.p90Delay)},
					      {"mean_delay_s", number(s.meanDelay)},
					      {"max_delay_s", number(s.maxDelay)},
					      {"mean_requests", number(s.meanRequests)},
					      {"max_requests", s.maxRequests},
					      {"undetected", s.undetected}};
		};
		nlohmann::json results = nlohmann::json::array();
		for (const Row &row : rows) {
			nlohmann::json goalJson = nullptr;
			if (row.variant != Variant::Nonlinear)
				goalJson = {{"text", row.goal},
					    {"delay_ok", row.delayOk},
					    {"requests_ok", row.requestsOk},
					    {"met", row.verdict == "PASS"}};
			results.push_back(
				{{"duration_s", row.nominal},
				 {"progress", variantName(row.variant)},
				 {"fixed", statsJson(row.fixed)},
				 {"adaptive", statsJson(row.adaptive)},
				 {"ratio_median_delay", number(row.adaptive.medianDelay / row.fixed.medianDelay)},
				 {"ratio_mean_requests", number(row.adaptive.meanRequests / row.fixed.meanRequests)},
				 {"diff_median_delay_s", number(row.diff.medianDelay)},
				 {"diff_median_delay_margin_s", number(kNoiseZ * row.diff.medianDelaySe)},
				 {"diff_mean_requests", number(row.diff.meanRequests)},
				 {"diff_mean_requests_margin", number(kNoiseZ * row.diff.meanRequestsSe)},
				 {"verdict", row.verdict},
				 {"goal", goalJson}});
		}
		nlohmann::json doc = {
			{"benchmark", "poll"},
			{"runs", o.runs},
			{"seed", o.seed},
			{"bootstrap_resamples", o.resamples},
			{"noise_z", kNoiseZ},
			{"smoke", o.smoke},
			{"method",
			 "simulated time; D = nominal +/-10% uniform, queue U(2,8) s, integer (floor) progress"},
			{"fixed_strategy", "first poll at 5 s, then every 10 s + U(0,1) s"},
			{"poll_config",
			 {{"first_delay", config.firstDelay},
			  {"min_interval", config.minInterval},
			  {"max_interval", config.maxInterval},
			  {"blind_interval", config.blindInterval},
			  {"max_jitter", config.maxJitter},
			  {"landing_margin", config.landingMargin}}},
			{"goal_median_delay_s", kGoalMedianDelay},
			{"results", results},
			{"goals_met", 6 - misses},
			{"goals_total", 6}};
		std::ofstream out(o.jsonPath);
		out << doc.dump(2) << "\n";
		if (!out)
			throw std::runtime_error("cannot write " + o.jsonPath);
		std::printf("JSON written to %s\n", o.jsonPath.c_str());
	}
	return 0;
}

} // namespace

int main(int argc, char **argv)
{
	Options o = parseOptions(argc, argv);
	try {
		return run(o);
	} catch (const std::exception &e) {
		std::cerr << "seedance-bench-poll: " << e.what() << "\n";
		return 2;
	}
}
