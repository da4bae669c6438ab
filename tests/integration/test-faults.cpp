// The fault table (docs/fault-table.md): each row is a fault the plugin meets in the wild, made here against the
// emulator over loopback and driven through the real JobRunner, with what the streamer sees asserted: the job's
// final state and stage, the sentence shown (locale key and its English text), and what is kept (a created task
// stays in the journal with its id, the captured frame stays for Retry, no partial file poses as a clip).
// The last test checks that the document and these tests list the same rows.
#include "test-framework.hpp"

#include "runner-fixture.hpp"

#include "core/job-store.hpp"
#include "core/log.hpp"
#include "core/text.hpp"

#include <arpa/inet.h>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <netinet/in.h>
#include <set>
#include <sstream>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace seedance;
using namespace seedance::test;
using core::JobState;
using nlohmann::json;

namespace {

// --- Row registry: every FAULT_CASE registers its id and the locale keys of what the user sees ---------------

std::map<std::string, std::vector<std::string>> &rows()
{
	static std::map<std::string, std::vector<std::string>> registry;
	return registry;
}

bool registerRow(const char *id, std::vector<std::string> shownKeys)
{
	rows()[id] = std::move(shownKeys);
	return true;
}

} // namespace

#define FAULT_CONCAT2(a, b) a##b
#define FAULT_CONCAT(a, b) FAULT_CONCAT2(a, b)
// FAULT_CASE("F01", "what goes wrong", "Locale.Key", ...): a test case tagged [F01], whose row in the document
// must quote the English text of each key (what the dock shows).
#define FAULT_CASE(id, name, ...)                                                            \
	static const bool FAULT_CONCAT(faultRow, __LINE__) = registerRow(id, {__VA_ARGS__}); \
	TEST_CASE(id ": " name, "[fault][" id "]")

namespace {

// --- Fixture -----------------------------------------------------------------------------------------------

// SEEDANCE_TEST_LOG=1 prints the core's log lines (redacted) to stderr, for reading a failing row.
const bool kLogToStderr = [] {
	if (std::getenv("SEEDANCE_TEST_LOG"))
		core::setLogSink([](core::LogLevel, std::string_view line) { std::cerr << line << "\n"; });
	return true;
}();

// One emulator for the whole program (reset by each fixture): starting one per row would cost more than the rows.
Emulator &sharedEmulator()
{
	static Emulator emu;
	return emu;
}

Emulator &freshEmulator()
{
	Emulator &emu = sharedEmulator();
	emu.reset();
	emu.scenario({{"queue_seconds", 0.05}, {"generate_seconds", 0.15}});
	return emu;
}

// Every timeout and wait small, so that a row takes about a second.
void fastFaults(core::RunnerConfig &c)
{
	c.client.connectTimeout = std::chrono::milliseconds(500);
	c.client.requestTimeout = std::chrono::milliseconds(1500);
	c.client.stallTimeout = std::chrono::seconds(1);
	c.client.retry.maxAttempts = 4;
	c.client.retry.baseDelay = 0.02;
	c.client.retry.maxDelay = 0.1;
	c.poll.firstDelay = 0.1;
	c.poll.minInterval = 0.05;
	c.poll.maxInterval = 0.2;
	c.poll.blindInterval = 0.1;
	c.poll.maxJitter = 0.01;
	c.poll.landingMargin = 0.02;
	c.poll.rateLimitMax = 0.4;
	c.poll.deadline = 20;
	c.submitWait.first = 0.1;
	c.submitWait.max = 0.2;
	c.submitWait.total = 0.6;
}

struct Fault : RunnerFixture {
	explicit Fault(std::function<void(core::RunnerConfig &)> extra = {}, bool startNow = true)
		: Fault(freshEmulator(), std::move(extra), startNow)
	{
	}
	Fault(Emulator &emulator, std::function<void(core::RunnerConfig &)> extra, bool startNow = true)
		: RunnerFixture(
			  emulator,
			  [extra](core::RunnerConfig &c) {
				  fastFaults(c);
				  if (extra)
					  extra(c);
			  },
			  3, startNow)
	{
		core::setLanguage("en-US");
	}

	std::string clips() { return dir.file("clips"); }

	// Settings changed (the streamer fixed the address or the key): the next request uses them.
	void pointAt(const std::string &baseUrl, const std::string &key = Emulator::kKey)
	{
		core::RunnerConfig c = runner->config();
		c.client.baseUrl = baseUrl;
		c.client.apiKey = key;
		runner->reconfigure(c.client, c.maxConcurrent, c.clipFolder);
	}

	core::Job run(const std::string &prompt = "the cat jumps over the sofa", double seconds = 30)
	{
		return waitDone(submit(spec(prompt)), seconds);
	}

	core::Job retryAndWait(const std::string &id, double seconds = 30)
	{
		REQUIRE_FALSE(runner->retry(id));
		waitUntil(
			id, [](const core::Job &j) { return !core::isTerminal(j.state); }, 5);
		return waitDone(id, seconds);
	}

	std::optional<core::Job> journaled(const std::string &id, const std::string &path = {})
	{
		for (auto &j : journal(path))
			if (j.id == id)
				return j;
		return std::nullopt;
	}
	// The journaled entry once it shows `state` (a job's new state is visible a moment before it is on disk;
	// listeners hear of it only after).
	std::optional<core::Job> journaledAs(const std::string &id, JobState state)
	{
		auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
		while (true) {
			auto j = journaled(id);
			if ((j && j->state == state) || std::chrono::steady_clock::now() > deadline)
				return j;
			std::this_thread::sleep_for(std::chrono::milliseconds(10));
		}
	}

	bool sawNotice(const std::string &id, const std::string &key)
	{
		for (const auto &j : updatesOf(id))
			if (j.notice.key == key)
				return true;
		return false;
	}
};

json errorBody(const json &code, const std::string &message, const std::string &type = {})
{
	json e = {{"code", code}, {"message", message}};
	if (!type.empty())
		e["type"] = type;
	return {{"error", e}};
}

std::string base64(const std::string &bytes)
{
	static const char *abc = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	std::string out;
	size_t i = 0;
	for (; i + 2 < bytes.size(); i += 3) {
		unsigned v = (unsigned char)bytes[i] << 16 | (unsigned char)bytes[i + 1] << 8 |
			     (unsigned char)bytes[i + 2];
		out += {abc[v >> 18], abc[(v >> 12) & 63], abc[(v >> 6) & 63], abc[v & 63]};
	}
	if (i + 1 == bytes.size()) {
		unsigned v = (unsigned char)bytes[i] << 16;
		out += {abc[v >> 18], abc[(v >> 12) & 63], '=', '='};
	} else if (i + 2 == bytes.size()) {
		unsigned v = (unsigned char)bytes[i] << 16 | (unsigned char)bytes[i + 1] << 8;
		out += {abc[v >> 18], abc[(v >> 12) & 63], abc[(v >> 6) & 63], '='};
	}
	return out;
}

bool validUtf8(const std::string &s)
{
	for (size_t i = 0; i < s.size();) {
		unsigned char c = s[i];
		int n = c < 0x80 ? 0 : (c >> 5) == 6 ? 1 : (c >> 4) == 14 ? 2 : (c >> 3) == 30 ? 3 : -1;
		if (n < 0 || i + n >= s.size() + (n == 0))
			return false;
		for (int k = 1; k <= n; ++k)
			if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80)
				return false;
		i += n + 1;
	}
	return true;
}

// --- What the user sees, and what is kept ---------------------------------------------------------------------

// A failed job: that stage, that sentence first (English, placeholders filled), nothing secret in it, and the
// same text in the public JSON (websocket, CLI).
void expectFailed(const core::Job &j, std::set<JobState> stages, const std::string &key)
{
	INFO("job " << j.id << " ended " << core::jobStateName(j.state) << " at " << core::jobStateName(j.stage) << ": "
		    << core::describe(j.error));
	CHECK(j.state == JobState::Failed);
	CHECK(stages.count(j.stage) == 1);
	CHECK(j.error.messageKey == key);
	std::string shown = core::userMessage(j.error);
	std::string sentence = core::fillPlaceholders(core::text(key), j.error.args);
	CHECK(sentence != key); // a real sentence, not a bare key
	CHECK(shown.rfind(sentence, 0) == 0);
	CHECK(shown.find('{') == std::string::npos); // every placeholder filled
	CHECK(shown.find(Emulator::kKey) == std::string::npos);
	CHECK(shown.find("sig=") == std::string::npos);
	CHECK(validUtf8(shown));
	CHECK(core::jobToPublicJson(j)["error"].value("message", std::string()) == shown);
}
void expectFailed(const core::Job &j, JobState stage, const std::string &key)
{
	expectFailed(j, std::set<JobState>{stage}, key);
}
// Failed while the provider had the task (queued or generating: which one depends on the first poll).
const std::set<JobState> kPolling = {JobState::Queued, JobState::Generating};

// No clip file and no partial download in the clip folder (other than `allowed`).
void expectNoClipFiles(Fault &f, const std::set<std::string> &allowed = {})
{
	std::error_code ec;
	if (!std::filesystem::is_directory(f.clips(), ec))
		return;
	for (const auto &entry : std::filesystem::directory_iterator(f.clips())) {
		INFO(entry.path());
		CHECK(allowed.count(entry.path().string()) == 1);
	}
}

// Failed before the provider had a task: nothing billed, the frame kept so Retry can submit it.
void expectNothingBilled(Fault &f, const core::Job &j)
{
	CHECK(j.taskId.empty());
	CHECK_FALSE(j.outcomeUnknown);
	CHECK(f.emu.tasks().empty());
	CHECK(core::fileExists(j.firstFramePath));
	auto kept = f.journaledAs(j.id, JobState::Failed);
	REQUIRE(kept);
	CHECK(kept->state == JobState::Failed);
	CHECK(kept->error.messageKey == j.error.messageKey);
	expectNoClipFiles(f);
}

// Failed after the provider created the task: its id stays in the journal, so Retry polls and downloads again.
void expectTaskKept(Fault &f, const core::Job &j)
{
	REQUIRE_FALSE(j.taskId.empty());
	auto kept = f.journaledAs(j.id, JobState::Failed);
	REQUIRE(kept);
	CHECK(kept->state == JobState::Failed);
	CHECK(kept->taskId == j.taskId);
	CHECK(kept->error.messageKey == j.error.messageKey);
	CHECK(j.clipPath.empty());
	expectNoClipFiles(f);
}

// Completed and on air, the clip byte-identical to what the provider made.
void expectCompleted(Fault &f, const core::Job &j)
{
	INFO("job " << j.id << " ended " << core::jobStateName(j.state) << ": " << core::describe(j.error));
	REQUIRE(j.state == JobState::Completed);
	CHECK(j.inserted);
	CHECK(core::fileExists(j.clipPath));
	CHECK(sha256Hex(readAll(j.clipPath)) == f.emu.task(j.taskId)["sha256"]);
	CHECK_FALSE(core::fileExists(j.clipPath + ".part"));
}

// A port on loopback where nothing listens.
int closedPort()
{
	int fd = ::socket(AF_INET, SOCK_STREAM, 0);
	sockaddr_in a{};
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	REQUIRE(::bind(fd, reinterpret_cast<sockaddr *>(&a), sizeof a) == 0);
	socklen_t len = sizeof a;
	::getsockname(fd, reinterpret_cast<sockaddr *>(&a), &len);
	::close(fd);
	return ntohs(a.sin_port);
}

// A listening socket whose accept queue is full: new connections sit in SYN-SENT until the client gives up
// (a connect timeout, without depending on an unroutable address).
class Blackhole {
public:
	Blackhole()
	{
		listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
		sockaddr_in a{};
		a.sin_family = AF_INET;
		a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		REQUIRE(::bind(listener_, reinterpret_cast<sockaddr *>(&a), sizeof a) == 0);
		REQUIRE(::listen(listener_, 0) == 0);
		socklen_t len = sizeof a;
		::getsockname(listener_, reinterpret_cast<sockaddr *>(&a), &len);
		port_ = ntohs(a.sin_port);
		for (int i = 0; i < 4; ++i) {
			int c = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
			::connect(c, reinterpret_cast<sockaddr *>(&a), sizeof a);
			fillers_.push_back(c);
		}
		std::this_thread::sleep_for(std::chrono::milliseconds(100));
	}
	~Blackhole()
	{
		for (int c : fillers_)
			::close(c);
		::close(listener_);
	}
	int port() const { return port_; }

private:
	int listener_ = -1;
	int port_ = 0;
	std::vector<int> fillers_;
};

// A self-signed certificate for 127.0.0.1, made with openssl in a temporary folder.
struct SelfSigned {
	TempDir dir;
	std::string cert = dir.file("cert.pem");
	std::string key = dir.file("key.pem");
	SelfSigned()
	{
		std::string cmd = "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 "
				  "-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 -keyout '" +
				  key + "' -out '" + cert + "' >/dev/null 2>&1";
		REQUIRE(std::system(cmd.c_str()) == 0);
	}
	std::vector<std::string> args() const { return {"--tls-cert", cert, "--tls-key", key}; }
};

// A completed-task answer for the query script, with the real task id and the given result.
json completedAnswer(const json &result)
{
	json a = {{"id", "{{task_id}}"}, {"status", "completed"}, {"progress", 100}, {"completed_at", 1767225600}};
	a.update(result);
	return a;
}

} // namespace

// =============================================================================================================
// Connections: refused, no DNS, connect timeout, servers that accept and never answer, a server that goes away
// =============================================================================================================

FAULT_CASE("F01", "connection refused", "Error.Network.Connect", "State.completed")
{
	int port = closedPort();
	Fault f([port](core::RunnerConfig &c) { c.client.baseUrl = "http://127.0.0.1:" + std::to_string(port); });
	core::Job j = f.run();
	expectFailed(j, JobState::Uploading, "Error.Network.Connect");
	expectNothingBilled(f, j);
	// The streamer fixes the address and presses Retry: the kept frame is submitted, the clip arrives.
	f.pointAt(f.emu.baseUrl());
	expectCompleted(f, f.retryAndWait(j.id));
}

FAULT_CASE("F02", "DNS failure", "Error.Network.Resolve")
{
	Fault f([](core::RunnerConfig &c) { c.client.baseUrl = "https://api.seedance-fault.invalid"; });
	core::Job j = f.run();
	expectFailed(j, JobState::Uploading, "Error.Network.Resolve");
	expectNothingBilled(f, j);
}

FAULT_CASE("F03", "connect timeout", "Error.Network.Connect")
{
	Blackhole hole;
	Fault f([&](core::RunnerConfig &c) {
		c.client.baseUrl = "http://127.0.0.1:" + std::to_string(hole.port());
		c.client.connectTimeout = std::chrono::milliseconds(300);
	});
	auto start = std::chrono::steady_clock::now();
	core::Job j = f.run();
	// Four attempts of 300 ms each, not a hang.
	CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(6));
	expectFailed(j, JobState::Uploading, "Error.Network.Connect");
	expectNothingBilled(f, j);
}

FAULT_CASE("F04", "the upload server accepts and never answers", "Error.Network.Timeout")
{
	Fault f([](core::RunnerConfig &c) { c.client.requestTimeout = std::chrono::milliseconds(400); });
	f.emu.script("upload", json::array({{{"hang", true}, {"repeat", 10}}}));
	core::Job j = f.run();
	expectFailed(j, JobState::Uploading, "Error.Network.Timeout");
	CHECK(f.emu.requestsTo("upload").size() == 4);
	expectNothingBilled(f, j);
}

FAULT_CASE("F05", "the create request is sent and never answered", "Error.OutcomeUnknown")
{
	Fault f([](core::RunnerConfig &c) { c.client.requestTimeout = std::chrono::milliseconds(400); });
	f.emu.script("create", json::array({{{"hang", true}, {"then_create", true}, {"repeat", 10}}}));
	core::Job j = f.run();
	expectFailed(j, JobState::Submitting, "Error.OutcomeUnknown");
	CHECK(j.outcomeUnknown);
	std::this_thread::sleep_for(std::chrono::milliseconds(300));
	CHECK(f.emu.requestsTo("create").size() == 1); // never resubmitted: it may have been billed
	auto kept = f.journaledAs(j.id, JobState::Failed);
	REQUIRE(kept);
	CHECK(kept->outcomeUnknown);
	expectNoClipFiles(f);
}

FAULT_CASE("F06", "status queries that are never answered", "State.completed")
{
	Fault f([](core::RunnerConfig &c) { c.client.requestTimeout = std::chrono::milliseconds(300); });
	f.emu.script("query", json::array({{{"passthrough", true}}, {{"hang", true}, {"repeat", 3}}}));
	core::Job j = f.run();
	expectCompleted(f, j);
	CHECK(f.emu.requestsTo("query").size() >= 5);
}

FAULT_CASE("F07", "the video host accepts and never answers", "Error.Download.Stalled", "State.completed")
{
	Fault f([](core::RunnerConfig &c) { c.client.retry.maxAttempts = 2; });
	f.emu.script("download", json::array({{{"hang", true}, {"repeat", 2}}}));
	auto start = std::chrono::steady_clock::now();
	core::Job j = f.run();
	CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(10));
	expectFailed(j, JobState::Downloading, "Error.Download.Stalled");
	expectTaskKept(f, j);
	expectCompleted(f, f.retryAndWait(j.id));
}

FAULT_CASE("F08", "the server goes away while the clip is generating", "Error.PollUnreachable")
{
	Emulator own;
	own.scenario({{"queue_seconds", 600}});
	Fault f(own, [](core::RunnerConfig &c) { c.poll.deadline = 1.5; });
	std::string id = f.submit(f.spec());
	f.waitState(id, JobState::Queued);
	own.stop();
	core::Job j = f.waitDone(id);
	expectFailed(j, kPolling, "Error.PollUnreachable");
	CHECK(j.error.args.at("task") == j.taskId);
	auto kept = f.journaledAs(j.id, JobState::Failed);
	REQUIRE(kept);
	CHECK(kept->taskId == j.taskId);
	expectNoClipFiles(f);
}

// =============================================================================================================
// Bodies that trickle, and Content-Length that lies
// =============================================================================================================

FAULT_CASE("F09", "a status answer that trickles (slow loris)", "State.completed")
{
	Fault f([](core::RunnerConfig &c) { c.client.requestTimeout = std::chrono::milliseconds(400); });
	f.emu.script("query", json::array({{{"passthrough", true}},
					   {{"passthrough", true}, {"trickle_bps", 5}, {"repeat", 2}}}));
	auto start = std::chrono::steady_clock::now();
	core::Job j = f.run();
	expectCompleted(f, j);
	CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(8));
}

FAULT_CASE("F10", "a clip download that trickles (slow loris)", "Error.Download.Stalled", "State.completed")
{
	Fault f([](core::RunnerConfig &c) { c.client.retry.maxAttempts = 2; });
	f.emu.scenario({{"download", {{"trickle_bps", 300}}}});
	auto start = std::chrono::steady_clock::now();
	core::Job j = f.run();
	CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(10));
	expectFailed(j, JobState::Downloading, "Error.Download.Stalled");
	expectTaskKept(f, j);
	f.emu.scenario({{"download", {{"trickle_bps", nullptr}}}});
	expectCompleted(f, f.retryAndWait(j.id));
}

FAULT_CASE("F11", "Content-Length larger than a status answer", "State.completed")
{
	Fault f;
	f.emu.script("query",
		     json::array({{{"passthrough", true}},
				  {{"status", 200}, {"body", "{\"id\":\"task_vid_x\""}, {"content_length", 500}},
				  {{"passthrough", true}, {"content_length", 4000}}}));
	core::Job j = f.run();
	expectCompleted(f, j);
	CHECK(f.emu.requestsTo("query").size() >= 4);
}

FAULT_CASE("F12", "Content-Length larger than the clip sent (cut off), resumed", "State.completed")
{
	Fault f([](core::RunnerConfig &c) { c.client.retry.maxAttempts = 10; });
	f.emu.scenario({{"download", {{"truncate_at", 20000}}}});
	core::Job j = f.run();
	expectCompleted(f, j);
	auto downloads = f.emu.task(j.taskId)["downloads"];
	REQUIRE(downloads.size() >= 2);
	CHECK(downloads[1]["status"] == 206); // resumed where it broke off, not started over
}

FAULT_CASE("F13", "a clip download that keeps being cut off", "Error.Download.Incomplete", "State.completed")
{
	Fault f;
	f.emu.scenario({{"download", {{"truncate_at", 1000}, {"no_range", true}}}});
	core::Job j = f.run();
	expectFailed(j, JobState::Downloading, "Error.Download.Incomplete");
	CHECK(f.emu.task(j.taskId)["downloads"].size() == 4);
	expectTaskKept(f, j);
	f.emu.scenario({{"download", nullptr}});
	expectCompleted(f, f.retryAndWait(j.id));
}

FAULT_CASE("F14", "Content-Length smaller than a status answer", "State.completed")
{
	Fault f;
	f.emu.script("query", json::array({{{"passthrough", true}}, {{"passthrough", true}, {"content_length", 12}}}));
	core::Job j = f.run();
	expectCompleted(f, j);
}

FAULT_CASE("F15", "Content-Length smaller than the clip (a cut clip that looks complete)", "State.completed")
{
	Fault f;
	f.emu.script("download", json::array({{{"passthrough", true}, {"content_length", 20000}}}));
	core::Job j = f.run();
	// The short file is recognised as a cut MP4, fetched again, and only the whole clip is kept.
	expectCompleted(f, j);
	CHECK(f.emu.task(j.taskId)["downloads"].size() == 2);
	expectNoClipFiles(f, {j.clipPath});
}

// =============================================================================================================
// Size caps and hostile JSON
// =============================================================================================================

namespace {
std::string tenMegabytesOf(const std::string &head)
{
	return head + std::string(10 << 20, 'x') + "\"}";
}
} // namespace

FAULT_CASE("F16", "a 10 MB status answer", "State.completed")
{
	Fault f;
	f.emu.script("query", json::array({{{"passthrough", true}},
					   {{"status", 200}, {"body", tenMegabytesOf("{\"id\":\"t\",\"pad\":\"")}}}));
	core::Job j = f.run();
	expectCompleted(f, j);
}

FAULT_CASE("F17", "a 10 MB answer to the create request", "Error.OutcomeUnreadable")
{
	Fault f;
	f.emu.script("create", json::array({{{"status", 200},
					     {"then_create", true},
					     {"body", tenMegabytesOf("{\"id\":\"{{task_id}}\",\"pad\":\"")}}}));
	core::Job j = f.run();
	// HTTP 200: the task exists and is billed, but its id could not be read. Not resubmitted.
	expectFailed(j, JobState::Submitting, "Error.OutcomeUnreadable");
	CHECK(j.outcomeUnknown);
	CHECK(f.emu.tasks().size() == 1);
	CHECK(f.emu.requestsTo("create").size() == 1);
}

FAULT_CASE("F18", "a 10 MB answer to the upload", "Error.TooLarge")
{
	Fault f;
	f.emu.script("upload",
		     json::array({{{"status", 200}, {"body", tenMegabytesOf("{\"success\":true,\"m\":\"")}}}));
	core::Job j = f.run();
	expectFailed(j, JobState::Uploading, "Error.TooLarge");
	expectNothingBilled(f, j);
}

FAULT_CASE("F19", "invalid UTF-8 in the provider's failure message", "Error.GenerationFailed")
{
	Fault f;
	std::string body = "{\"id\":\"task_vid_x\",\"status\":\"failed\",\"error\":{\"code\":\"generation_failed\","
			   "\"message\":\"Fehler \xe4 beim Rendern \xff\xfe\"}}";
	f.emu.script("query", json::array({{{"status", 200}, {"body_b64", base64(body)}, {"repeat", 50}}}));
	auto start = std::chrono::steady_clock::now();
	core::Job j = f.run();
	CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5)); // read at once, not polled on
	expectFailed(j, kPolling, "Error.GenerationFailed");
	CHECK(j.error.providerMessage.find("beim Rendern") != std::string::npos);
	expectTaskKept(f, j);
}

FAULT_CASE("F20", "an error page in Latin-1 (invalid UTF-8)", "Error.Server")
{
	Fault f;
	f.emu.script("upload",
		     json::array({{{"status", 502},
				   {"headers", {{"Content-Type", "text/html; charset=iso-8859-1"}}},
				   {"body_b64", base64("<html><title>Dienst nicht verf\xfcgbar</title></html>")},
				   {"repeat", 4}}}));
	core::Job j = f.run();
	expectFailed(j, JobState::Uploading, "Error.Server");
	CHECK(validUtf8(j.error.detail));
	CHECK(validUtf8(core::describe(j.error)));
	CHECK(core::jobToPublicJson(j).dump().size() > 0); // what the websocket vendor sends
	expectNothingBilled(f, j);
}

FAULT_CASE("F21", "deeply nested JSON in a status answer", "State.completed")
{
	Fault f;
	std::string deep = std::string(100000, '[') + std::string(100000, ']');
	f.emu.script("query", json::array({{{"passthrough", true}}, {{"status", 200}, {"body", deep}, {"repeat", 2}}}));
	core::Job j = f.run();
	expectCompleted(f, j);
}

FAULT_CASE("F22", "deeply nested JSON in the answer to the create request", "Error.OutcomeUnreadable")
{
	Fault f;
	std::string deep = "{\"id\":" + std::string(100000, '[') + std::string(100000, ']') + "}";
	f.emu.script("create", json::array({{{"status", 200}, {"then_create", true}, {"body", deep}}}));
	core::Job j = f.run();
	expectFailed(j, JobState::Submitting, "Error.OutcomeUnreadable");
	CHECK(j.outcomeUnknown);
	CHECK(f.emu.requestsTo("create").size() == 1);
}

// =============================================================================================================
// Wrong JSON types, field by field
// =============================================================================================================

FAULT_CASE("F23", "wrong JSON types in the upload answer", "Error.BadResponse", "State.completed")
{
	Fault f;
	const std::string url = "{{base_url}}/files/uploads/frame.png";
	json good = {{"success", true}, {"data", {{"id", "upload_1"}, {"url", url}, {"size", 10}}}};
	struct Case {
		const char *what;
		json answer;
		bool readable;
	};
	auto with = [&](const std::string &pointer, const json &value) {
		json a = good;
		a[json::json_pointer(pointer)] = value;
		return a;
	};
	std::vector<Case> cases = {
		{"answer is an array", json::array({good}), false},
		{"answer is a string", "ok", false},
		{"success is a string", with("/success", "true"), true},
		{"success is null", with("/success", nullptr), true},
		{"data is a string", with("/data", url), false},
		{"data is an array", with("/data", json::array({good["data"]})), false},
		{"data.url is a number", with("/data/url", 12345), false},
		{"data.url is an object", with("/data/url", {{"href", url}}), false},
		{"data.url is null", with("/data/url", nullptr), false},
		{"data.url is an array", with("/data/url", json::array({url})), false},
		{"data.id is an object", with("/data/id", json::object()), true},
		{"data.size is text", with("/data/size", "big"), true},
		{"data.mime_type is a number", with("/data/mime_type", 7), true},
	};
	for (const auto &c : cases) {
		INFO(c.what);
		f.emu.admin("DELETE", "/_emu/script");
		f.emu.script("upload", json::array({{{"status", 200}, {"json", c.answer}}}));
		core::Job j = f.run(c.what);
		if (c.readable) {
			CHECK(j.state == JobState::Completed);
		} else {
			expectFailed(j, JobState::Uploading, "Error.BadResponse");
			CHECK(j.taskId.empty());
		}
	}
	CHECK(f.emu.tasks().size() == 5); // only the readable answers led to a (billed) task
}

FAULT_CASE("F24", "wrong JSON types in the answer to the create request", "Error.OutcomeUnreadable", "State.completed")
{
	Fault f;
	json good = {{"id", "{{task_id}}"}, {"status", "queued"}, {"progress", 0}, {"created_at", 1767225600}};
	struct Case {
		const char *what;
		json answer;
		bool idReadable;
	};
	auto with = [&](const std::string &key, const json &value) {
		json a = good;
		a[key] = value;
		return a;
	};
	std::vector<Case> cases = {
		{"status is a number", with("status", 1), true},
		{"status is null", with("status", nullptr), true},
		{"status is an object", with("status", {{"name", "queued"}}), true},
		{"progress is text", with("progress", "lots"), true},
		{"progress is an object", with("progress", json::object()), true},
		{"created_at is text", with("created_at", "yesterday"), true},
		{"created_at is an array", with("created_at", json::array({1})), true},
		{"id is null", with("id", nullptr), false},
		{"id is an object", with("id", {{"value", "{{task_id}}"}}), false},
		{"id is an array", with("id", json::array({"{{task_id}}"})), false},
		{"id is a boolean", with("id", true), false},
		{"answer is an array", json::array({good}), false},
	};
	size_t tasks = 0;
	for (const auto &c : cases) {
		INFO(c.what);
		f.emu.admin("DELETE", "/_emu/script");
		f.emu.script("create", json::array({{{"status", 200}, {"then_create", true}, {"json", c.answer}}}));
		core::Job j = f.run(c.what);
		++tasks;
		if (c.idReadable) {
			CHECK(j.state == JobState::Completed); // the task id is what matters; the rest is optional
		} else {
			// HTTP 200 without a usable id: the task exists but cannot be followed. Never resubmitted.
			expectFailed(j, JobState::Submitting, "Error.OutcomeUnreadable");
			CHECK(j.outcomeUnknown);
		}
		CHECK(f.emu.tasks().size() == tasks);
	}
}

FAULT_CASE("F25", "wrong JSON types in status answers while generating", "State.completed")
{
	Fault f;
	auto answer = [](const std::string &key, const json &value) {
		json a = {{"id", "{{task_id}}"}, {"status", "in_progress"}, {"progress", 40}};
		a[key] = value;
		return json{{"status", 200}, {"json", a}};
	};
	// No answer in the script says the task is done: however slowly the job polls, it sees every one of them
	// before the emulator's own answer completes it.
	json script = json::array({answer("status", 1),
				   answer("status", nullptr),
				   answer("status", json::array({"completed"})),
				   answer("progress", json::object()),
				   answer("progress", "NaN"),
				   answer("progress", true),
				   answer("progress", json::array({50})),
				   answer("progress", 1e300),
				   answer("id", json::array({"x"})),
				   answer("id", nullptr),
				   {{"status", 200}, {"json", "in_progress"}},
				   {{"status", 200}, {"json", json::array()}}});
	f.emu.script("query", script);
	std::string id = f.submit(f.spec());
	core::Job j = f.waitDone(id);
	expectCompleted(f, j);
	CHECK(f.emu.requestsTo("query").size() >= script.size() + 1);
	for (const auto &u : f.updatesOf(id)) {
		CHECK(u.state != JobState::Failed);
		CHECK(u.progress >= 0);
		CHECK(u.progress <= 100);
	}
}

FAULT_CASE("F26", "wrong JSON types in the completed task", "Error.NoVideoUrl", "Error.VideoUrl.Refused",
	   "State.completed")
{
	Fault f;
	f.emu.scenario({{"queue_seconds", 0}, {"generate_seconds", 0}}); // the clip is there when the script says so
	struct Case {
		const char *what;
		json result;
		std::string key; // empty: completes
	};
	json videoUrl = "{{video_url}}";
	std::vector<Case> cases = {
		{"result is a string", {{"result", "done"}}, "Error.NoVideoUrl"},
		{"result.data is the URL string", {{"result", {{"data", videoUrl}}}}, ""},
		{"result.data is a number", {{"result", {{"data", 7}}}}, "Error.NoVideoUrl"},
		{"result.data[0] is the URL string", {{"result", {{"data", json::array({videoUrl})}}}}, ""},
		{"result.data[0] is a number", {{"result", {{"data", json::array({3})}}}}, "Error.NoVideoUrl"},
		{"url is an object",
		 {{"result", {{"data", json::array({{{"url", {{"href", videoUrl}}}}})}}}},
		 "Error.NoVideoUrl"},
		{"url is a number", {{"result", {{"data", json::array({{{"url", 12345}}})}}}}, "Error.VideoUrl.Refused"},
		{"expires_at is text",
		 {{"result", {{"data", json::array({{{"url", videoUrl}}})}}}, {"expires_at", "tomorrow"}},
		 ""},
		{"completed_at is an object",
		 {{"result", {{"data", json::array({{{"url", videoUrl}}})}}}, {"completed_at", json::object()}},
		 ""},
		{"progress is text",
		 {{"result", {{"data", json::array({{{"url", videoUrl}}})}}}, {"progress", "100%"}},
		 ""},
	};
	for (const auto &c : cases) {
		INFO(c.what);
		f.emu.admin("DELETE", "/_emu/script");
		f.emu.script("query",
			     json::array({{{"status", 200}, {"json", completedAnswer(c.result)}, {"repeat", 30}}}));
		auto start = std::chrono::steady_clock::now();
		core::Job j = f.run(c.what);
		CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));
		if (c.key.empty()) {
			expectCompleted(f, j);
		} else {
			expectFailed(j, kPolling, c.key);
			CHECK(j.error.args.at("task") == j.taskId); // the id to give ToAPIs support
			CHECK_FALSE(j.taskId.empty());
		}
	}
}

FAULT_CASE("F27", "wrong JSON types in a failed task's error", "Error.GenerationFailed")
{
	Fault f;
	std::vector<json> errors = {"the model crashed",
				    42,
				    json::array({"x"}),
				    nullptr,
				    json{{"code", json::object()}, {"message", json::array({"bad"})}},
				    json{{"code", 5}, {"message", 7}}};
	for (const auto &error : errors) {
		INFO(error.dump());
		f.emu.admin("DELETE", "/_emu/script");
		json answer = {{"id", "{{task_id}}"}, {"status", "failed"}, {"error", error}};
		f.emu.script("query", json::array({{{"status", 200}, {"json", answer}, {"repeat", 30}}}));
		core::Job j = f.run("failing " + error.dump());
		expectFailed(j, kPolling, "Error.GenerationFailed");
		if (error.is_string())
			CHECK(j.error.providerMessage == "the model crashed");
		expectTaskKept(f, j);
	}
}

// =============================================================================================================
// Redirects, TLS and URLs the plugin must not follow
// =============================================================================================================

FAULT_CASE("F28", "a redirect to file://", "Error.Redirect.Refused")
{
	Fault f;
	f.emu.script("upload", json::array({{{"status", 307}, {"headers", {{"Location", "file:///etc/passwd"}}}}}));
	core::Job j = f.run();
	expectFailed(j, JobState::Uploading, "Error.Redirect.Refused");
	CHECK(j.error.args.at("url") == "file:///etc/passwd");
	CHECK(f.emu.requestsTo("upload").size() == 1); // refused, not retried
	expectNothingBilled(f, j);
}

FAULT_CASE("F29", "a redirect to plain http off loopback", "Error.Redirect.Refused")
{
	Fault f;
	f.emu.script(
		"download",
		json::array({{{"status", 302},
			      {"headers", {{"Location", "http://downloads.example.com/clip.mp4?sig=SECRETSIG"}}}}}));
	core::Job j = f.run();
	expectFailed(j, JobState::Downloading, "Error.Redirect.Refused");
	CHECK(j.error.args.at("url") == "http://downloads.example.com/clip.mp4");
	CHECK(core::userMessage(j.error).find("SECRETSIG") == std::string::npos);
	expectTaskKept(f, j);
	CHECK(readAll(f.dir.file("config/jobs.json")).find("SECRETSIG") == std::string::npos);
}

FAULT_CASE("F30", "a redirect loop", "Error.Download.Redirects")
{
	Fault f;
	f.emu.script("download",
		     json::array({{{"status", 302}, {"headers", {{"Location", "{{video_url}}"}}}, {"repeat", 50}}}));
	core::Job j = f.run();
	expectFailed(j, JobState::Downloading, "Error.Download.Redirects");
	CHECK(f.emu.requestsTo("download").size() == 6); // the first request and five redirects, then stop
	expectTaskKept(f, j);
}

FAULT_CASE("F31", "a self-signed HTTPS server on loopback", "Error.Network.Tls")
{
	SelfSigned cert;
	Emulator tls(cert.args());
	Fault f([&](core::RunnerConfig &c) { c.client.baseUrl = "https://127.0.0.1:" + std::to_string(tls.port()); });
	core::Job j = f.run();
	expectFailed(j, JobState::Uploading, "Error.Network.Tls");
	// Refused in the handshake: no request (and so no key) ever reached the server.
	CHECK(tls.log().find("/v1/") == std::string::npos);
	expectNothingBilled(f, j);
}

FAULT_CASE("F32", "a self-signed HTTPS video host", "Error.Network.Tls")
{
	SelfSigned cert;
	Emulator tls(cert.args());
	Fault f;
	std::string url = "https://127.0.0.1:" + std::to_string(tls.port()) + "/files/videos/clip.mp4?sig=abc";
	f.emu.script(
		"query",
		json::array({{{"status", 200},
			      {"json", completedAnswer({{"result", {{"data", json::array({{{"url", url}}})}}}})}}}));
	core::Job j = f.run();
	expectFailed(j, JobState::Downloading, "Error.Network.Tls");
	expectTaskKept(f, j);
}

FAULT_CASE("F33", "a plain-http video URL off loopback in the task", "Error.VideoUrl.Refused")
{
	Fault f;
	f.emu.script("query",
		     json::array({{{"status", 200},
				   {"json",
				    completedAnswer({{"result",
						      {{"data", json::array({{{"url", "http://cdn.example.com/"
										      "v.mp4?sig=SECRETSIG"}}})}}}})},
				   {"repeat", 30}}}));
	auto start = std::chrono::steady_clock::now();
	core::Job j = f.run();
	CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));
	expectFailed(j, kPolling, "Error.VideoUrl.Refused");
	CHECK(j.error.args.at("url") == "http://cdn.example.com/v.mp4");
	CHECK(core::userMessage(j.error).find("SECRETSIG") == std::string::npos);
	expectTaskKept(f, j);
}

// =============================================================================================================
// HTTP statuses
// =============================================================================================================

FAULT_CASE("F34", "401: the key is refused", "Error.Auth")
{
	Fault f([](core::RunnerConfig &c) { c.client.apiKey = "sk-wrong-0123456789abcdef"; });
	core::Job j = f.run();
	expectFailed(j, JobState::Uploading, "Error.Auth");
	CHECK(f.emu.requestsTo("upload").size() == 1); // not retried
	expectNothingBilled(f, j);
}

FAULT_CASE("F35", "401 while the clip is generating (key revoked)", "Error.Auth", "State.completed")
{
	Fault f;
	f.emu.script("query",
		     json::array({{{"status", 401},
				   {"json", errorBody(401, "Authentication failed", "authentication_error")}}}));
	core::Job j = f.run();
	expectFailed(j, kPolling, "Error.Auth");
	expectTaskKept(f, j);
	expectCompleted(f, f.retryAndWait(j.id)); // with the key fixed, Retry polls the same task
	CHECK(f.emu.tasks().size() == 1);
}

FAULT_CASE("F36", "402: balance too low", "Error.Quota", "State.completed")
{
	Fault f;
	f.emu.script("create", json::array({{{"status", 402},
					     {"json", errorBody("insufficient_quota", "Insufficient balance")}}}));
	core::Job j = f.run();
	expectFailed(j, JobState::Submitting, "Error.Quota");
	CHECK(f.emu.requestsTo("create").size() == 1);
	expectNothingBilled(f, j);
	expectCompleted(f, f.retryAndWait(j.id)); // topped up: Retry submits the kept frame
}

FAULT_CASE("F37", "403 from storage on an expired URL", "Error.Download.Forbidden")
{
	Fault f;
	f.emu.scenario({{"url_expired", true}});
	core::Job j = f.run();
	expectFailed(j, JobState::Downloading, "Error.Download.Forbidden");
	expectTaskKept(f, j);
}

FAULT_CASE("F38", "404: the task vanished", "Error.NotFound")
{
	Fault f;
	f.emu.script("query",
		     json::array({{{"status", 404}, {"json", errorBody(404, "Task not found", "not_found_error")}}}));
	core::Job j = f.run();
	expectFailed(j, kPolling, "Error.NotFound");
	expectTaskKept(f, j);
}

FAULT_CASE("F39", "422: the prompt is rejected", "Error.ContentRejected")
{
	Fault f;
	f.emu.script(
		"create",
		json::array({{{"status", 422},
			      {"json", errorBody("content_policy_violation", "Prompt contains sensitive words")}}}));
	core::Job j = f.run();
	expectFailed(j, JobState::Submitting, "Error.ContentRejected");
	CHECK(core::userMessage(j.error).find("(ToAPIs said: Prompt contains sensitive words)") != std::string::npos);
	expectNothingBilled(f, j);
}

FAULT_CASE("F40", "a 429 storm on submit that outlasts the wait", "Notice.SubmitDeferred", "Error.RateLimited")
{
	Fault f;
	f.emu.script("create",
		     json::array({{{"status", 429},
				   {"headers", {{"Retry-After", "0"}}},
				   {"json", errorBody("rate_limit_exceeded", "Async task request rate exceeded")},
				   {"repeat", 1000}}}));
	std::string id = f.submit(f.spec());
	core::Job j = f.waitDone(id);
	CHECK(f.sawNotice(id, "Notice.SubmitDeferred")); // "submitting again in … s" while it waited
	expectFailed(j, JobState::Submitting, "Error.RateLimited");
	CHECK(f.emu.requestsTo("create").size() > 4); // waited and tried again after the client's own retries
	expectNothingBilled(f, j);
}

FAULT_CASE("F41", "a 429 storm on status queries", "State.completed")
{
	Fault f;
	f.emu.script("query", json::array({{{"passthrough", true}},
					   {{"status", 429},
					    {"headers", {{"Retry-After", "0"}}},
					    {"json", errorBody(429, "Too many requests", "rate_limit_error")},
					    {"repeat", 8}}}));
	core::Job j = f.run();
	expectCompleted(f, j);
	CHECK(f.emu.requestsTo("query").size() >= 10);
}

FAULT_CASE("F42", "503 rate_limit_unavailable: queries go on, submits wait", "Notice.SubmitDeferred", "State.completed")
{
	Fault f([](core::RunnerConfig &c) { c.submitWait.total = 30; });
	f.emu.scenario({{"generate_seconds", 1.0}});
	std::string first = f.submit(f.spec("already submitted"));
	f.waitUntil(first, [](const core::Job &j) { return !j.taskId.empty(); });
	f.emu.script("create",
		     json::array({{{"status", 503},
				   {"json", errorBody("rate_limit_unavailable",
						      "The async task submit limiter is temporarily unavailable")},
				   {"repeat", 100000}}}));
	std::string second = f.submit(f.spec("submitted while the limiter is down"));
	// The new job waits to be submitted ...
	f.waitUntil(second, [](const core::Job &j) { return j.notice.key == "Notice.SubmitDeferred"; });
	// ... and the task already at the provider is polled and finishes meanwhile.
	core::Job a = f.waitDone(first);
	expectCompleted(f, a);
	core::Job waiting = *f.runner->job(second);
	CHECK_FALSE(core::isTerminal(waiting.state));
	CHECK(waiting.taskId.empty());
	CHECK(f.sawNotice(second, "Notice.SubmitDeferred"));
	f.emu.admin("DELETE", "/_emu/script"); // the limiter is back
	core::Job b = f.waitDone(second);
	expectCompleted(f, b);
	CHECK(b.notice.key != "Notice.SubmitDeferred");
	CHECK(f.emu.tasks().size() == 2);
}

FAULT_CASE("F43", "500 after the task was created", "Error.OutcomeUnknown")
{
	Fault f;
	f.emu.script(
		"create",
		json::array({{{"status", 500}, {"json", errorBody("internal_error", "oops")}, {"then_create", true}}}));
	core::Job j = f.run();
	expectFailed(j, JobState::Submitting, "Error.OutcomeUnknown");
	CHECK(j.outcomeUnknown);
	std::this_thread::sleep_for(std::chrono::milliseconds(300));
	CHECK(f.emu.requestsTo("create").size() == 1);
	CHECK(f.emu.tasks().size() == 1); // a blind retry would have billed twice
}

FAULT_CASE("F44", "the connection drops after the create request was sent", "Error.OutcomeUnknown")
{
	Fault f;
	f.emu.script("create", json::array({{{"close", true}, {"then_create", true}}}));
	core::Job j = f.run();
	expectFailed(j, JobState::Submitting, "Error.OutcomeUnknown");
	CHECK(j.outcomeUnknown);
	CHECK(f.emu.requestsTo("create").size() == 1);
}

FAULT_CASE("F45", "HTML error pages while polling", "State.completed")
{
	Fault f;
	f.emu.script("query", json::array({{{"passthrough", true}},
					   {{"status", 502},
					    {"headers", {{"Content-Type", "text/html"}}},
					    {"body", "<html><title>502 Bad Gateway</title></html>"},
					    {"repeat", 3}},
					   {{"status", 200},
					    {"headers", {{"Content-Type", "text/html"}}},
					    {"body", "<html><title>Sign in to the network</title></html>"}}}));
	core::Job j = f.run();
	expectCompleted(f, j);
}

FAULT_CASE("F46", "the provider echoes the API key in an error", "Error.Auth")
{
	Fault f;
	f.emu.script("upload",
		     json::array({{{"status", 401},
				   {"json", errorBody("unauthorized", std::string("Invalid key ") + Emulator::kKey,
						      "authentication_error")}}}));
	core::Job j = f.run();
	expectFailed(j, JobState::Uploading, "Error.Auth"); // includes: the key is not in the message
	CHECK(core::userMessage(j.error).find("Invalid key") != std::string::npos);
	CHECK(readAll(f.dir.file("config/jobs.json")).find(Emulator::kKey) == std::string::npos);
}

// =============================================================================================================
// What the provider says about the task
// =============================================================================================================

FAULT_CASE("F47", "a completed task without a video URL", "Error.NoVideoUrl")
{
	Fault f;
	f.emu.scenario({{"complete_without_url", true}});
	core::Job j = f.run();
	expectFailed(j, kPolling, "Error.NoVideoUrl");
	CHECK(core::userMessage(j.error).find(j.taskId) != std::string::npos);
	expectTaskKept(f, j);
}

FAULT_CASE("F48", "the provider fails the task (content policy)", "Error.ContentRejected")
{
	Fault f;
	f.emu.scenario({{"fail", {{"code", "generation_failed"}, {"message", "Content violates the content policy"}}}});
	core::Job j = f.run();
	CHECK(j.error.messageKey == "Error.ContentRejected");
	CHECK(core::userMessage(j.error).find("Content violates the content policy") != std::string::npos);
	CHECK(j.state == JobState::Failed);
	expectTaskKept(f, j);
}

FAULT_CASE("F49", "an unknown task status", "State.completed")
{
	Fault f;
	f.emu.script("query",
		     json::array({{{"passthrough", true}},
				  {{"status", 200},
				   {"json", {{"id", "{{task_id}}"}, {"status", "rendering"}, {"progress", 70}}},
				   {"repeat", 3}}}));
	core::Job j = f.run();
	expectCompleted(f, j);
}

// =============================================================================================================
// What goes up and what comes down: frames too large, downloads that are not videos
// =============================================================================================================

FAULT_CASE("F50", "the upload is refused as too large", "Error.Upload.TooLarge")
{
	Fault f;
	f.emu.script(
		"upload",
		json::array({{{"status", 413},
			      {"headers", {{"Content-Type", "text/html"}}},
			      {"body", "<html><title>413 Request Entity Too Large</title></html>"}},
			     {{"status", 400},
			      {"json", {{"success", false}, {"message", "Image too large. Maximum size is 10MB"}}}}}));
	core::Job first = f.run("refused with 413");
	expectFailed(first, JobState::Uploading, "Error.Upload.TooLarge");
	core::Job second = f.run("refused with a message");
	expectFailed(second, JobState::Uploading, "Error.Upload.TooLarge");
	CHECK(core::userMessage(second.error).find("Maximum size is 10MB") != std::string::npos);
	CHECK(f.emu.requestsTo("upload").size() == 2); // not retried
	expectNothingBilled(f, second);
}

FAULT_CASE("F51", "a frame over 10 MB", "Error.Image.TooLarge")
{
	Fault f;
	f.frames.onEncoded = [](core::EncodedFrame &frame) {
		frame.image.bytes.append(11u << 20, '\0');
	};
	core::Job j = f.run();
	expectFailed(j, JobState::Uploading, "Error.Image.TooLarge");
	CHECK(f.emu.requestsTo("upload").empty()); // refused before sending
	CHECK(j.taskId.empty());
	CHECK(f.emu.tasks().empty());
}

FAULT_CASE("F52", "a download that is an HTML page, not a video", "Error.Download.NotVideo")
{
	Fault f;
	f.emu.scenario({{"download", {{"body_kind", "html"}}}});
	core::Job j = f.run();
	expectFailed(j, JobState::Downloading, "Error.Download.NotVideo");
	expectTaskKept(f, j);
}

FAULT_CASE("F53", "a download of bytes that are not a video", "Error.Download.NotVideo")
{
	Fault f;
	std::string junk;
	for (int i = 0; i < 5000; ++i)
		junk += static_cast<char>((i * 7919) & 0xFF);
	f.emu.script("download", json::array({{{"status", 200}, {"body_b64", base64(junk)}}}));
	core::Job j = f.run();
	expectFailed(j, JobState::Downloading, "Error.Download.NotVideo");
	expectTaskKept(f, j);
}

// =============================================================================================================
// The local disk: clip folder, full disk, journal, two OBS instances
// =============================================================================================================

FAULT_CASE("F54", "a clip folder that cannot be created or written", "Error.Disk.Folder", "State.completed")
{
	TempDir elsewhere;
	REQUIRE_FALSE(core::writeFileAtomic(elsewhere.file("a-file"), "not a folder"));
	// Root ignores permission bits, so the folder is made impossible instead: it would be inside a file.
	std::string impossible = elsewhere.file("a-file") + "/clips";
	Fault f([&](core::RunnerConfig &c) { c.clipFolder = impossible; });
	core::Job j = f.run();
	expectFailed(j, JobState::Downloading, "Error.Disk.Folder");
	CHECK(j.error.args.at("path") == impossible);
	expectTaskKept(f, j);
	// A folder path that is an existing file fails the same way.
	{
		core::RunnerConfig c = f.runner->config();
		f.runner->reconfigure(c.client, c.maxConcurrent, elsewhere.file("a-file"));
	}
	core::Job file = f.run("into a file");
	expectFailed(file, JobState::Downloading, "Error.Disk.Folder");
	CHECK(readAll(elsewhere.file("a-file")) == "not a folder");
	// The streamer picks a folder that works and presses Retry: the same task is downloaded.
	{
		core::RunnerConfig c = f.runner->config();
		f.runner->reconfigure(c.client, c.maxConcurrent, f.clips());
	}
	expectCompleted(f, f.retryAndWait(j.id));
	CHECK(f.emu.tasks().size() == 2);
}

FAULT_CASE("F55", "a full disk while the clip downloads", "Error.Disk.Full", "State.completed")
{
	Fault f;
	f.emu.scenario({{"queue_seconds", 0.5}});
	std::string id = f.submit(f.spec());
	f.waitUntil(id, [](const core::Job &j) { return !j.taskId.empty(); });
	// From here on files may not grow past 16 KiB (the journal stays below): write() fails with EFBIG, as on a
	// full disk. The limit is per process and the emulator is another one.
	struct rlimit before {};
	REQUIRE(::getrlimit(RLIMIT_FSIZE, &before) == 0);
	auto oldHandler = std::signal(SIGXFSZ, SIG_IGN);
	struct rlimit small = before;
	small.rlim_cur = 16 * 1024;
	REQUIRE(::setrlimit(RLIMIT_FSIZE, &small) == 0);
	core::Job j = f.waitDone(id);
	REQUIRE(::setrlimit(RLIMIT_FSIZE, &before) == 0);
	std::signal(SIGXFSZ, oldHandler);
	expectFailed(j, JobState::Downloading, "Error.Disk.Full");
	CHECK(j.error.args.at("reason") == std::strerror(EFBIG));
	expectTaskKept(f, j); // no half clip holds on to the little space left
	expectCompleted(f, f.retryAndWait(j.id));
}

FAULT_CASE("F56", "a journal folder that cannot be written at start", "Notice.NotDurable", "Error.Journal.Write")
{
	TempDir elsewhere;
	REQUIRE_FALSE(core::writeFileAtomic(elsewhere.file("a-file"), "x"));
	Fault f([&](core::RunnerConfig &c) { c.dataFolder = elsewhere.file("a-file") + "/config"; }, false);
	f.requireDurable = false;
	f.start();
	CHECK_FALSE(f.runner->durable());
	core::Error why = f.runner->journalError();
	CHECK(why.messageKey == "Error.Journal.Write"); // what the dock shows at start
	CHECK(core::userMessage(why).find("{") == std::string::npos);
	std::string id = f.submit(f.spec());
	core::Job j = f.waitDone(id);
	expectCompleted(f, j); // the clip still arrives
	CHECK(f.sawNotice(id, "Notice.NotDurable"));
	for (const auto &u : f.updatesOf(id))
		if (u.notice.key == "Notice.NotDurable")
			CHECK(u.notice.text().find(core::userMessage(why)) != std::string::npos);
}

FAULT_CASE("F57", "the journal becomes unwritable while jobs run", "Notice.NotDurable", "State.completed")
{
	Fault f;
	std::string journal = f.dir.file("config/jobs.json");
	// The journal's name is taken by a folder: every atomic replace fails (rename onto a directory).
	core::removeFile(journal);
	REQUIRE_FALSE(core::makeDirectories(journal + "/blocked"));
	std::string id = f.submit(f.spec("while the journal is blocked"));
	core::Job j = f.waitDone(id);
	expectCompleted(f, j);
	CHECK(f.sawNotice(id, "Notice.NotDurable"));
	CHECK(f.runner->journalError().messageKey == "Error.Journal.Write");
	// Unblocked: the next write succeeds, the warning goes, both jobs are in the journal.
	std::filesystem::remove_all(journal);
	core::Job next = f.run("after the journal is back");
	expectCompleted(f, next);
	CHECK_FALSE(f.runner->journalError());
	CHECK(f.journaled(id));
	CHECK(f.journaled(next.id));
	CHECK(next.notice.key != "Notice.NotDurable");
}

FAULT_CASE("F58", "two OBS instances at once", "State.completed")
{
	Fault first;
	Fault second(first.emu, [&](core::RunnerConfig &c) {
		c.dataFolder = first.dir.file("config");
		c.clipFolder = first.clips();
	});
	CHECK(first.runner->durable());
	CHECK(second.runner->durable());
	// Same prompt, same moment, same clip folder: each instance journals its own jobs and gets its own clip.
	std::string a = first.submit(first.spec("the same prompt"));
	std::string b = second.submit(second.spec("the same prompt"));
	core::Job ja = first.waitDone(a);
	core::Job jb = second.waitDone(b);
	expectCompleted(first, ja);
	expectCompleted(first, jb);
	CHECK(ja.clipPath != jb.clipPath);
	auto mine = first.journal(first.dir.file("config/jobs.json"));
	auto theirs = first.journal(first.dir.file("config/jobs-2.json"));
	REQUIRE(mine.size() == 1);
	REQUIRE(theirs.size() == 1);
	CHECK(mine[0].id == a);
	CHECK(theirs[0].id == b);
	CHECK(first.runner->job(b) == std::nullopt);
	// The second instance exits; the first keeps working on its own journal.
	second.stop();
	core::Job later = first.run("after the other OBS closed");
	expectCompleted(first, later);
	CHECK(first.journal(first.dir.file("config/jobs.json")).size() == 2);
}

FAULT_CASE("F59", "more OBS instances than journal slots", "Notice.NotDurable", "Error.Journal.Locked")
{
	Fault f({}, false);
	f.requireDurable = false;
	std::vector<std::unique_ptr<core::JobStore>> others;
	for (int i = 0; i < core::JobStore::kMaxInstances; ++i) {
		others.push_back(std::make_unique<core::JobStore>(f.dir.file("config")));
		REQUIRE(others.back()->open());
	}
	f.start();
	CHECK_FALSE(f.runner->durable());
	CHECK(f.runner->journalError().messageKey == "Error.Journal.Locked");
	std::string id = f.submit(f.spec());
	core::Job j = f.waitDone(id);
	expectCompleted(f, j);
	CHECK(f.sawNotice(id, "Notice.NotDurable"));
	for (const auto &store : others) // nobody else's journal was touched
		CHECK(readAll(store->path()).find(id) == std::string::npos);
}

// =============================================================================================================
// The document and the tests list the same rows, and each row quotes what the user sees
// =============================================================================================================

TEST_CASE("docs/fault-table.md lists exactly the rows tested here, each with what the user sees", "[fault][doc]")
{
	std::ifstream in(std::string(SEEDANCE_SOURCE_DIR) + "/docs/fault-table.md");
	REQUIRE(in);
	std::map<std::string, std::vector<std::string>> doc; // id → cells
	std::string line;
	while (std::getline(in, line)) {
		if (line.rfind("| F", 0) != 0)
			continue;
		std::vector<std::string> cells;
		std::stringstream s(line.substr(1));
		std::string cell;
		while (std::getline(s, cell, '|')) {
			size_t b = cell.find_first_not_of(' ');
			size_t e = cell.find_last_not_of(' ');
			cells.push_back(b == std::string::npos ? std::string() : cell.substr(b, e - b + 1));
		}
		REQUIRE(cells.size() >= 5);
		INFO(line);
		CHECK(doc.count(cells[0]) == 0);
		doc[cells[0]] = cells;
	}
	std::set<std::string> documented, tested;
	for (const auto &[id, cells] : doc)
		documented.insert(id);
	for (const auto &[id, keys] : rows())
		tested.insert(id);
	CHECK(documented == tested);
	CHECK(tested.size() >= 40);

	core::setLanguage("en-US");
	for (const auto &[id, keys] : rows()) {
		auto it = doc.find(id);
		if (it == doc.end())
			continue;
		const auto &cells = it->second;
		INFO(id);
		for (size_t c = 1; c < 5; ++c)
			CHECK_FALSE(cells[c].empty());
		// Every sentence the test asserts is quoted in "what the user sees" (placeholders may be filled in).
		const std::string &shown = cells[3];
		for (const auto &key : keys) {
			std::string sentence = core::text(key);
			INFO(key << ": " << sentence);
			REQUIRE(sentence != key);
			size_t from = 0;
			while (from < sentence.size()) {
				size_t open = sentence.find('{', from);
				std::string piece = sentence.substr(from, open == std::string::npos ? std::string::npos
												    : open - from);
				if (piece.size() >= 4)
					CHECK(shown.find(piece) != std::string::npos);
				if (open == std::string::npos)
					break;
				size_t close = sentence.find('}', open);
				from = close == std::string::npos ? sentence.size() : close + 1;
			}
		}
	}
}
