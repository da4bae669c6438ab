// Benchmark (not a test): download a large clip from the loopback emulator with the real client
// (core::ToApisClient::download) and with the system `curl -s -o`, interleaved, on the same URL.
// Goals (issue): our rate >= 0.9 x curl's, and our peak memory growth <= 16 MiB during a download.
//
// Usage: seedance-bench-download [--runs N] [--size-mb MB] [--json FILE] [--smoke]
// Exit status: 0 whether or not the goals are met; 1 when the benchmark itself breaks (a download error, a
// sha256 mismatch, curl failing, an exception); 2 on bad arguments.
#include "emulator.hpp"

#include "core/cancel-token.hpp"
#include "core/file-util.hpp"
#include "core/http-client.hpp"
#include "core/model-catalog.hpp"
#include "core/redact.hpp"
#include "core/toapis-client.hpp"

#include <nlohmann/json.hpp>
#include <openssl/evp.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace seedance;

namespace {

constexpr double kGoalRatio = 0.90;     // our rate / curl's rate
constexpr double kGoalRssGrowth = 16.0; // MiB
constexpr double kMiB = 1024.0 * 1024.0;

double now()
{
	return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// ---- Memory of this process ----

// A "VmXXX:   1234 kB" field of /proc/self/status, in KiB (-1 when unavailable).
long procStatusKiB(const char *field)
{
	std::FILE *f = std::fopen("/proc/self/status", "r");
	if (!f)
		return -1;
	char line[256];
	long value = -1;
	size_t n = std::strlen(field);
	while (std::fgets(line, sizeof line, f)) {
		if (std::strncmp(line, field, n) == 0 && line[n] == ':') {
			value = std::strtol(line + n + 1, nullptr, 10);
			break;
		}
	}
	std::fclose(f);
	return value;
}

// Samples VmRSS every 10 ms on its own thread; VmHWM cannot be reset, so the peak during one download is the
// largest sample (plus the readings at start and stop).
class RssSampler {
public:
	RssSampler()
	{
		thread_ = std::thread([this] {
			while (!stop_.load()) {
				sample();
				std::this_thread::sleep_for(std::chrono::milliseconds(10));
			}
		});
		// The sampler thread's own stack pages are part of the baseline, not of the download.
		std::this_thread::sleep_for(std::chrono::milliseconds(30));
		baseline_ = procStatusKiB("VmRSS");
		peak_ = baseline_;
	}
	~RssSampler() { finish(); }
	// Peak VmRSS - baseline, in KiB.
	long finish()
	{
		if (thread_.joinable()) {
			stop_ = true;
			thread_.join();
			sample();
		}
		return peak_.load() - baseline_;
	}
	long baseline() const { return baseline_; }
	int samples() const { return samples_.load(); }

private:
	void sample()
	{
		long rss = procStatusKiB("VmRSS");
		long prev = peak_.load();
		while (rss > prev && !peak_.compare_exchange_weak(prev, rss)) {
		}
		++samples_;
	}
	std::thread thread_;
	std::atomic<bool> stop_{false};
	std::atomic<long> peak_{0};
	std::atomic<int> samples_{0};
	long baseline_ = 0;
};

// ---- Files ----

std::string sha256File(const std::string &path)
{
	std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
	if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1)
		throw std::runtime_error("EVP sha256 init failed");
	std::FILE *f = std::fopen(path.c_str(), "rb");
	if (!f)
		throw std::runtime_error("cannot open " + path + ": " + std::strerror(errno));
	std::vector<unsigned char> buf(1 << 20);
	size_t n;
	while ((n = std::fread(buf.data(), 1, buf.size(), f)) > 0)
		EVP_DigestUpdate(ctx.get(), buf.data(), n);
	bool bad = std::ferror(f) != 0;
	std::fclose(f);
	if (bad)
		throw std::runtime_error("read error on " + path);
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned int len = 0;
	EVP_DigestFinal_ex(ctx.get(), digest, &len);
	static const char *hex = "0123456789abcdef";
	std::string out;
	for (unsigned int i = 0; i < len; ++i) {
		out += hex[digest[i] >> 4];
		out += hex[digest[i] & 15];
	}
	return out;
}

std::string shellOutput(const std::string &command)
{
	std::string out;
	std::FILE *p = popen(command.c_str(), "r");
	if (!p)
		return out;
	char buf[512];
	while (std::fgets(buf, sizeof buf, p))
		out += buf;
	pclose(p);
	while (!out.empty() && (out.back() == '\n' || out.back() == ' '))
		out.pop_back();
	return out;
}

// "ext4", "tmpfs"… of the filesystem holding `path`, per `df -T`.
std::string filesystemType(const std::string &path)
{
	std::string type = shellOutput("df --output=fstype '" + path + "' 2>/dev/null | tail -n 1");
	return type.empty() ? "unknown" : type;
}

// ---- curl ----

struct CurlRun {
	bool available = true;
	int exitCode = 0;
	double seconds = 0;
	long maxRssKiB = 0; // of the curl process (wait4 rusage)
};

CurlRun runCurl(const std::string &url, const std::string &path)
{
	CurlRun r;
	double start = now();
	pid_t pid = fork();
	if (pid < 0)
		throw std::runtime_error("fork failed");
	if (pid == 0) {
		int devnull = open("/dev/null", O_WRONLY);
		if (devnull >= 0)
			dup2(devnull, STDERR_FILENO);
		execlp("curl", "curl", "-s", "-o", path.c_str(), url.c_str(), static_cast<char *>(nullptr));
		_exit(127);
	}
	int status = 0;
	struct rusage usage {};
	// wait4 gives this child's own peak RSS (what `/usr/bin/time -f %M` prints), without a wrapper process in
	// the timing.
	if (wait4(pid, &status, 0, &usage) != pid)
		throw std::runtime_error("wait4 failed");
	r.seconds = now() - start;
	r.maxRssKiB = usage.ru_maxrss;
	r.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	r.available = r.exitCode != 127;
	return r;
}

// fsync of a finished file, timed (curl does not sync; our client does, before it renames).
double fsyncSeconds(const std::string &path)
{
	double start = now();
	int fd = open(path.c_str(), O_RDONLY);
	if (fd < 0)
		return 0;
	fsync(fd);
	close(fd);
	return now() - start;
}

// ---- Statistics ----

std::string fmt(const char *format, double v)
{
	char buf[64];
	std::snprintf(buf, sizeof buf, format, v);
	return buf;
}

double median(std::vector<double> v)
{
	if (v.empty())
		return std::nan("");
	std::sort(v.begin(), v.end());
	size_t n = v.size();
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

nlohmann::json number(double v, double scale = 1000.0)
{
	if (std::isnan(v))
		return nullptr;
	return std::round(v * scale) / scale;
}

// ---- Command line ----

struct Options {
	int runs = 3;
	int sizeMb = 200;
	std::string jsonPath;
	bool smoke = false;
};

[[noreturn]] void usage(const char *message)
{
	std::cerr << "seedance-bench-download: " << message << "\n"
		  << "usage: seedance-bench-download [--runs N] [--size-mb MB] [--json FILE] [--smoke]\n";
	std::exit(2);
}

Options parseOptions(int argc, char **argv)
{
	Options o;
	bool runsGiven = false, sizeGiven = false;
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
			} else if (a == "--size-mb") {
				o.sizeMb = std::stoi(value());
				sizeGiven = true;
			} else if (a == "--json") {
				o.jsonPath = value();
			} else if (a == "--smoke") {
				o.smoke = true;
			} else if (a == "--help" || a == "-h") {
				std::cout
					<< "usage: seedance-bench-download [--runs N] [--size-mb MB] [--json FILE] [--smoke]\n"
					<< "  --runs N     downloads with each client, interleaved (default 3; --smoke: 1)\n"
					<< "  --size-mb MB clip size in MiB, 1-4096 (default 200; --smoke: 20)\n"
					<< "  --json F     also write the results as JSON to F\n"
					<< "  --smoke      small and quick, for CI\n";
				std::exit(0);
			} else {
				usage(("unknown option " + a).c_str());
			}
		} catch (const std::logic_error &) {
			usage(("bad value for " + a).c_str());
		}
	}
	if (o.smoke) {
		if (!runsGiven)
			o.runs = 1;
		if (!sizeGiven)
			o.sizeMb = 20;
	}
	if (o.runs < 1)
		usage("--runs must be at least 1");
	if (o.sizeMb < 1 || o.sizeMb > 4096)
		usage("--size-mb must be 1-4096 (the emulator's large_clip_mb range)");
	return o;
}

struct OurRun {
	double seconds = 0;
	double syncSeconds = 0; // download()'s own fsync before the rename (DownloadResult::syncSeconds)
	double rssGrowthMiB = 0;
	int samples = 0;
	bool shaOk = false;
};

struct CurlResult {
	CurlRun run;
	double fsyncSeconds = 0;
	bool shaOk = false;
};

// Diagnostic: the client's HTTP layer alone (HttpEngine::perform streaming to a FILE*, with the settings
// download() uses), without download()'s fsync, container check and rename. Separates transfer from durability.
struct TransferRun {
	double seconds = 0;
	double fsyncSeconds = 0;
	bool shaOk = false;
};

int run(const Options &o)
{
	std::printf(
		"seedance-bench-download: core::ToApisClient::download vs `curl -s -o FILE URL`, same URL on the\n"
		"loopback emulator (sendfile), interleaved (ours, curl, xfer, ours, ...). Sizes in MiB, rates in MiB/s.\n"
		"Our rate is the transfer: download() minus the fsync it does before publishing the clip (reported per\n"
		"run); curl -o does not sync. The durable comparison (ours with fsync vs curl followed by fsync) follows.\n"
		"\"xfer\" (diagnostic) is our HTTP layer alone: HttpEngine::perform streaming to a FILE* with download()'s\n"
		"settings, without fsync, container check and rename; its fsync is timed afterwards.\n"
		"Peak RSS growth = max VmRSS sampled every 10 ms during our download - VmRSS just before it.\n\n");

	test::Emulator emu({"--quiet"});
	emu.scenario({{"large_clip_mb", o.sizeMb}, {"queue_seconds", 0.1}, {"generate_seconds", 0.2}});

	core::HttpEngine engine;
	core::ClientConfig config;
	config.baseUrl = emu.baseUrl();
	config.apiKey = test::Emulator::kKey;
	config.maxVideoBytes = std::max<std::uint64_t>(config.maxVideoBytes, (o.sizeMb + 1ull) << 20);
	core::ToApisClient client(engine, config);
	core::CancelToken cancel;

	core::GenerationRequest request;
	request.prompt = "a benchmark clip";
	const core::ModelSpec *spec = core::ModelCatalog::builtin().find(core::ModelCatalog::kDefaultModel);
	if (!spec)
		throw std::runtime_error("default model missing from the catalog");
	double submitted = core::monotonicSeconds();
	auto created = client.createTask(request, *spec, cancel);
	if (!created)
		throw std::runtime_error("create failed: " + core::describe(created.error()));
	core::PollConfig poll;
	poll.firstDelay = 0.2;
	poll.minInterval = 0.1;
	poll.maxInterval = 0.5;
	poll.blindInterval = 0.3;
	poll.maxJitter = 0.05;
	poll.landingMargin = 0.05;
	poll.deadline = 180.0; // a large clip is made in a background thread before the task completes
	auto done = client.waitForTask(created->id, submitted, poll, cancel);
	if (!done)
		throw std::runtime_error("task did not complete: " + core::describe(done.error()));
	const std::string url = done->videoUrl;
	nlohmann::json task = emu.task(created->id);
	const std::string expectedSha = task.value("sha256", "");
	const std::uint64_t expectedSize = task.value("size", std::uint64_t(0));
	if (expectedSha.empty() || expectedSize == 0)
		throw std::runtime_error("emulator task has no clip sha256/size");
	const double sizeMiB = static_cast<double>(expectedSize) / kMiB;

	test::TempDir dir;
	std::string fsType = filesystemType(dir.path());
	std::string dfLine = shellOutput("df -T '" + dir.path() + "' 2>/dev/null | tail -n 1");
	struct utsname uts {};
	uname(&uts);
	std::string curlVersion = shellOutput("curl --version 2>/dev/null | head -n 1");
	unsigned cores = std::thread::hardware_concurrency();

	std::printf("clip: %.1f MiB (%llu bytes), sha256 %s\n", sizeMiB, static_cast<unsigned long long>(expectedSize),
		    expectedSha.substr(0, 16).c_str());
	std::printf("url: %s (query not shown)\n", core::stripQuery(url).c_str());
	std::printf("download folder: %s, filesystem %s (df -T: %s)\n", dir.path().c_str(), fsType.c_str(),
		    dfLine.c_str());
	std::printf("curl: %s\n", curlVersion.empty() ? "not found" : curlVersion.c_str());
	std::printf("machine: %s %s, %u cores; runs: %d each\n\n", uts.sysname, uts.release, cores, o.runs);

	std::vector<OurRun> ours;
	std::vector<CurlResult> curls;
	bool curlAvailable = true;
	bool broken = false;
	const std::string oursPath = dir.file("ours.mp4");
	const std::string curlPath = dir.file("curl.mp4");
	const std::string xferPath = dir.file("xfer.mp4");
	std::vector<TransferRun> xfers;

	std::printf("%-4s %-6s %9s %10s %12s %10s  %s\n", "run", "client", "time s", "MiB/s", "RSS MiB", "fsync s",
		    "sha256");
	for (int i = 1; i <= o.runs; ++i) {
		// Ours.
		{
			OurRun r;
			std::optional<core::Result<core::DownloadResult>> result;
			double start = 0, stop = 0;
			long growthKiB = 0;
			{
				RssSampler sampler;
				start = now();
				result.emplace(client.download(url, oursPath, cancel));
				stop = now();
				growthKiB = sampler.finish();
				r.samples = sampler.samples();
			}
			r.seconds = stop - start;
			r.rssGrowthMiB = static_cast<double>(growthKiB) / 1024.0;
			if (!*result) {
				std::printf("%-4d %-6s download failed: %s\n", i, "ours",
					    core::describe(result->error()).c_str());
				broken = true;
			} else {
				r.shaOk = (*result)->bytes == expectedSize && sha256File(oursPath) == expectedSha;
				r.syncSeconds = (*result)->syncSeconds;
				broken |= !r.shaOk;
				std::printf("%-4d %-6s %9.3f %10.1f %12s %10.3f  %s\n", i, "ours", r.seconds,
					    sizeMiB / (r.seconds - r.syncSeconds),
					    fmt("+%.2f", growthKiB / 1024.0).c_str(), r.syncSeconds,
					    r.shaOk ? "ok" : "MISMATCH");
				ours.push_back(r);
			}
			core::removeFile(oursPath);
		}
		// curl.
		if (curlAvailable) {
			CurlResult c;
			c.run = runCurl(url, curlPath);
			if (!c.run.available) {
				curlAvailable = false;
				std::printf("%-4d %-6s not available: reference skipped\n", i, "curl");
			} else if (c.run.exitCode != 0) {
				std::printf("%-4d %-6s exited with %d\n", i, "curl", c.run.exitCode);
				broken = true;
			} else {
				c.fsyncSeconds = fsyncSeconds(curlPath);
				c.shaOk = core::fileSize(curlPath).value_or(0) == expectedSize &&
					  sha256File(curlPath) == expectedSha;
				broken |= !c.shaOk;
				std::printf("%-4d %-6s %9.3f %10.1f %12s %10.3f  %s\n", i, "curl", c.run.seconds,
					    sizeMiB / c.run.seconds, fmt("max %.2f", c.run.maxRssKiB / 1024.0).c_str(),
					    c.fsyncSeconds, c.shaOk ? "ok" : "MISMATCH");
				curls.push_back(c);
			}
			core::removeFile(curlPath);
		}
		// Transfer only.
		{
			TransferRun t;
			std::FILE *sink = std::fopen(xferPath.c_str(), "wb");
			if (!sink)
				throw std::runtime_error("cannot create " + xferPath);
			core::HttpRequest r;
			r.url = url;
			r.connectTimeout = config.connectTimeout;
			r.totalTimeout = std::chrono::milliseconds(0);
			r.stallTimeout = config.stallTimeout;
			r.maxResponseBytes = config.maxVideoBytes;
			r.sink = sink;
			double start = now();
			core::HttpResponse response = engine.perform(r, &cancel);
			bool closed = std::fclose(sink) == 0;
			t.seconds = now() - start;
			if (!response.success() || !closed) {
				std::printf("%-4d %-6s transfer failed: HTTP %ld %s\n", i, "xfer", response.status,
					    response.errorDetail.c_str());
				broken = true;
			} else {
				t.fsyncSeconds = fsyncSeconds(xferPath);
				t.shaOk = core::fileSize(xferPath).value_or(0) == expectedSize &&
					  sha256File(xferPath) == expectedSha;
				broken |= !t.shaOk;
				std::printf("%-4d %-6s %9.3f %10.1f %12s %10.3f  %s\n", i, "xfer", t.seconds,
					    sizeMiB / t.seconds, "", t.fsyncSeconds, t.shaOk ? "ok" : "MISMATCH");
				xfers.push_back(t);
			}
			core::removeFile(xferPath);
		}
	}

	// Like for like: our transfer (download() minus its fsync) against `curl -o` (which never syncs), and our
	// whole durable download against curl followed by an fsync of its file.
	std::vector<double> ourRates, ourDurableRates, curlRates, curlSyncRates, growth;
	double curlMaxRss = std::nan("");
	for (const OurRun &r : ours) {
		ourRates.push_back(sizeMiB / (r.seconds - r.syncSeconds));
		ourDurableRates.push_back(sizeMiB / r.seconds);
		growth.push_back(r.rssGrowthMiB);
	}
	for (const CurlResult &c : curls) {
		curlRates.push_back(sizeMiB / c.run.seconds);
		curlSyncRates.push_back(sizeMiB / (c.run.seconds + c.fsyncSeconds));
		double rss = static_cast<double>(c.run.maxRssKiB) / 1024.0;
		curlMaxRss = std::isnan(curlMaxRss) ? rss : std::max(curlMaxRss, rss);
	}
	std::vector<double> xferRates;
	for (const TransferRun &t : xfers)
		xferRates.push_back(sizeMiB / t.seconds);
	double xferMedian = median(xferRates);
	double ourMedian = median(ourRates);
	double curlMedian = median(curlRates);
	double ratioXfer = xferMedian / curlMedian;
	double curlSyncMedian = median(curlSyncRates);
	double ratio = ourMedian / curlMedian;
	double ourDurableMedian = median(ourDurableRates);
	double ratioSync = ourDurableMedian / curlSyncMedian;
	double peakGrowth = growth.empty() ? std::nan("") : *std::max_element(growth.begin(), growth.end());
	bool rateOk = !std::isnan(ratio) && ratio >= kGoalRatio;
	bool rssOk = !std::isnan(peakGrowth) && peakGrowth <= kGoalRssGrowth;
	auto verdict = [](bool known, bool ok) {
		return !known ? "n/a" : ok ? "PASS" : "MISS";
	};

	std::printf("\n%-34s %10s %10s  %s\n", "summary", "value", "goal", "verdict");
	std::printf("%s\n", std::string(64, '-').c_str());
	std::printf("%-34s %10.1f\n", "our median transfer rate MiB/s", ourMedian);
	std::printf("%-34s %10.1f\n", "curl -o median rate MiB/s", curlMedian);
	std::printf("%-34s %10.3f %10s  %s\n", "ratio ours / curl -o", ratio, ">= 0.90",
		    verdict(!std::isnan(ratio), rateOk));
	std::printf("%-34s %10.1f %10s  %s\n", "our peak RSS growth MiB (max)", peakGrowth, "<= 16",
		    verdict(!std::isnan(peakGrowth), rssOk));
	std::printf("%-34s %10.1f %10s\n", "curl max RSS MiB (reference)", curlMaxRss, "-");
	std::printf("%-34s %10.1f %10s\n", "our durable rate MiB/s (with fsync)", ourDurableMedian, "-");
	std::printf("%-34s %10.1f %10s\n", "curl -o + fsync median rate MiB/s", curlSyncMedian, "-");
	std::printf("%-34s %10.3f %10s\n", "ratio durable: ours / (curl+fsync)", ratioSync, "-");
	std::printf("%-34s %10.1f %10s\n", "xfer median rate MiB/s (diag.)", xferMedian, "-");
	std::printf("%-34s %10.3f %10s\n", "ratio xfer / curl (diag.)", ratioXfer, "-");
	if (o.smoke)
		std::printf("(smoke run: %d MiB, %d run(s); too small for meaningful figures)\n", o.sizeMb, o.runs);
	std::printf("benchmark %s\n", broken ? "BROKEN (see above)" : "ok (all files verified)");

	if (!o.jsonPath.empty()) {
		nlohmann::json runs = nlohmann::json::array();
		for (size_t i = 0; i < std::max({ours.size(), curls.size(), xfers.size()}); ++i) {
			nlohmann::json entry = {{"run", i + 1}};
			if (i < ours.size())
				entry["ours"] = {{"seconds", number(ours[i].seconds, 1e4)},
						 {"rate_mib_s", number(sizeMiB / ours[i].seconds, 10)},
						 {"rss_growth_mib", number(ours[i].rssGrowthMiB, 100)},
						 {"rss_samples", ours[i].samples},
						 {"sha256_ok", ours[i].shaOk}};
			if (i < curls.size())
				entry["curl"] = {{"seconds", number(curls[i].run.seconds, 1e4)},
						 {"rate_mib_s", number(sizeMiB / curls[i].run.seconds, 10)},
						 {"max_rss_mib", number(curls[i].run.maxRssKiB / 1024.0, 100)},
						 {"fsync_seconds", number(curls[i].fsyncSeconds, 1e4)},
						 {"sha256_ok", curls[i].shaOk}};
			if (i < xfers.size())
				entry["xfer"] = {{"seconds", number(xfers[i].seconds, 1e4)},
						 {"rate_mib_s", number(sizeMiB / xfers[i].seconds, 10)},
						 {"fsync_seconds", number(xfers[i].fsyncSeconds, 1e4)},
						 {"sha256_ok", xfers[i].shaOk}};
			runs.push_back(entry);
		}
		nlohmann::json doc = {{"benchmark", "download"},
				      {"size_mib", number(sizeMiB, 100)},
				      {"size_bytes", expectedSize},
				      {"runs_each", o.runs},
				      {"smoke", o.smoke},
				      {"filesystem", fsType},
				      {"cores", cores},
				      {"kernel", uts.release},
				      {"curl_version", curlVersion},
				      {"runs", runs},
				      {"ours_median_rate_mib_s", number(ourMedian, 10)},
				      {"ours_durable_median_rate_mib_s", number(ourDurableMedian, 10)},
				      {"curl_median_rate_mib_s", number(curlMedian, 10)},
				      {"curl_fsync_median_rate_mib_s", number(curlSyncMedian, 10)},
				      {"ratio", number(ratio)},
				      {"ratio_vs_curl_fsync", number(ratioSync)},
				      {"peak_rss_growth_mib", number(peakGrowth, 100)},
				      {"curl_max_rss_mib", number(curlMaxRss, 100)},
				      {"goals",
				       {{"ratio_min", kGoalRatio},
					{"ratio_met", rateOk},
					{"rss_growth_max_mib", kGoalRssGrowth},
					{"rss_growth_met", rssOk}}},
				      {"broken", broken}};
		std::ofstream out(o.jsonPath);
		out << doc.dump(2) << "\n";
		if (!out)
			throw std::runtime_error("cannot write " + o.jsonPath);
		std::printf("JSON written to %s\n", o.jsonPath.c_str());
	}
	return broken ? 1 : 0;
}

} // namespace

int main(int argc, char **argv)
{
	Options o = parseOptions(argc, argv);
	try {
		return run(o);
	} catch (const std::exception &e) {
		std::fflush(stdout);
		std::cerr << "seedance-bench-download: " << e.what() << "\n";
		return 1;
	}
}
