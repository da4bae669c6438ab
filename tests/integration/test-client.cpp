// The real client over loopback against the emulator: every scenario, its outcome, attempts, Retry-After, and
// that no partial file ever stands under the final name.
#include "test-framework.hpp"

#include "client-fixture.hpp"

#include "core/file-util.hpp"
#include "core/log.hpp"

#include <chrono>
#include <filesystem>
#include <thread>

using namespace seedance;
using namespace seedance::test;
using core::ErrorKind;
using nlohmann::json;

namespace {

json errorBody(const std::string &code, const std::string &message)
{
	return {{"error", {{"code", code}, {"message", message}}}};
}

// Upload a frame, create, wait, download: the whole path; returns the final error (or none).
core::Error generate(ClientFixture &f, const std::string &output, core::CallStats *createStats = nullptr,
		     std::string *taskId = nullptr)
{
	auto up = f.client.uploadImage(solidPng(640, 360, 200, 30, 30), "frame.png", f.cancel);
	if (!up)
		return up.error();
	double submitted = core::monotonicSeconds();
	auto created = f.client.createTask(f.request(up->url), f.spec(), f.cancel, createStats);
	if (!created)
		return created.error();
	if (taskId)
		*taskId = created->id;
	auto done = f.client.waitForTask(created->id, submitted, fastPoll(), f.cancel);
	if (!done)
		return done.error();
	auto file = f.client.download(done->videoUrl, output, f.cancel);
	if (!file)
		return file.error();
	return {};
}

void requireNoPartial(const std::string &output)
{
	CHECK_FALSE(core::fileExists(output));
	CHECK_FALSE(core::fileExists(output + ".part"));
}

} // namespace

TEST_CASE("happy path: upload, create, poll, download a byte-identical clip", "[integration]")
{
	ClientFixture f;
	std::string out = f.dir.file("clip.mp4");
	std::string taskId;
	REQUIRE_FALSE(generate(f, out, nullptr, &taskId));
	auto task = f.emu.task(taskId);
	CHECK(sha256Hex(readAll(out)) == task["sha256"]);
	CHECK_FALSE(core::fileExists(out + ".part"));

	auto uploads = f.emu.requestsTo("upload");
	REQUIRE(uploads.size() == 1);
	REQUIRE(uploads[0]["multipart"].size() >= 1);
	bool fileField = false;
	for (const auto &part : uploads[0]["multipart"])
		fileField |= part["name"] == "file" && part["content_type"] == "image/png";
	CHECK(fileField);
	CHECK(uploads[0]["headers"]["authorization"] == std::string("Bearer ") + Emulator::kKey);
	CHECK(uploads[0]["headers"]["user-agent"].get<std::string>().rfind("obs-seedance/", 0) == 0);

	auto creates = f.emu.requestsTo("create");
	REQUIRE(creates.size() == 1);
	const json &body = creates[0]["json"];
	CHECK(body["model"] == "doubao-seedance-1-5-pro");
	CHECK(body["metadata"]["resolution"] == "720p");
	CHECK(body["image_with_roles"][0]["role"] == "first_frame");
	CHECK(body["image_with_roles"][0]["url"].is_string());
	CHECK_FALSE(body.contains("image_urls"));

	// Downloads carry no API key: they go to the storage host.
	auto downloads = f.emu.requestsTo("download");
	REQUIRE_FALSE(downloads.empty());
	CHECK_FALSE(downloads[0]["headers"].contains("authorization"));
}

TEST_CASE("latency and a progress curve are reported while polling", "[integration]")
{
	ClientFixture f;
	f.emu.scenario({{"latency_ms", 150}, {"queue_seconds", 0.3}, {"generate_seconds", 2.0}});
	double submitted = core::monotonicSeconds();
	auto created = f.client.createTask(f.request(), f.spec(), f.cancel);
	REQUIRE(created);
	std::vector<int> seen;
	bool sawEta = false;
	auto done = f.client.waitForTask(created->id, submitted, fastPoll(), f.cancel,
					 [&](const core::TaskSnapshot &t, std::optional<double> left) {
						 if (t.progress)
							 seen.push_back(*t.progress);
						 sawEta |= left.has_value();
					 });
	REQUIRE(done);
	CHECK(done->state == core::TaskState::Succeeded);
	CHECK(seen.size() >= 3);
	CHECK(std::is_sorted(seen.begin(), seen.end()));
	CHECK(seen.back() > 0);
	CHECK(sawEta);
	double elapsed = core::monotonicSeconds() - submitted;
	CHECK(elapsed >= 2.3);
}

TEST_CASE("every status and result shape of the docs versions and Ark completes", "[integration]")
{
	ClientFixture f;
	for (auto names : {"docs-aug", "legacy", "ark"}) {
		for (auto shape : {"docs-aug", "top-level-url", "ark"}) {
			INFO(names << " / " << shape);
			f.emu.scenario({{"status_names", names}, {"result_shape", shape}});
			std::string out = f.dir.file(std::string(names) + "-" + shape + ".mp4");
			REQUIRE_FALSE(generate(f, out));
			CHECK(core::fileExists(out));
		}
	}
}

TEST_CASE("a failed task reports the provider's error object", "[integration]")
{
	ClientFixture f;
	f.emu.scenario({{"fail", {{"code", "generation_failed"}, {"message", "Content violates the content policy"}}}});
	std::string out = f.dir.file("clip.mp4");
	core::Error e = generate(f, out);
	REQUIRE(e);
	CHECK(e.kind == ErrorKind::ContentRejected);
	CHECK(e.providerMessage == "Content violates the content policy");
	requireNoPartial(out);

	f.emu.scenario({{"fail", {{"code", "generation_failed"}, {"message", "upstream timeout"}}}});
	e = generate(f, out);
	CHECK(e.kind == ErrorKind::GenerationFailed);
}

TEST_CASE("401, 402 and 422 fail at once without retries", "[integration]")
{
	ClientFixture f;
	struct Case {
		int status;
		json body;
		ErrorKind kind;
	};
	for (const auto &c :
	     {Case{401,
		   {{"error", {{"code", 401}, {"message", "Authentication failed"}, {"type", "authentication_error"}}}},
		   ErrorKind::Auth},
	      Case{402, errorBody("insufficient_quota", "balance too low"), ErrorKind::Quota},
	      Case{422, errorBody("content_policy_violation", "prompt rejected"), ErrorKind::ContentRejected}}) {
		INFO(c.status);
		f.emu.admin("DELETE", "/_emu/requests");
		f.emu.script("create", json::array({{{"status", c.status}, {"json", c.body}}}));
		core::CallStats stats;
		auto created = f.client.createTask(f.request(), f.spec(), f.cancel, &stats);
		REQUIRE_FALSE(created);
		CHECK(created.error().kind == c.kind);
		CHECK(stats.attempts == 1);
		CHECK(f.emu.requestsTo("create").size() == 1);
		CHECK(f.emu.tasks().empty());
	}
}

TEST_CASE("429 with Retry-After is obeyed, then the create succeeds", "[integration]")
{
	ClientFixture f;
	f.emu.script("create",
		     json::array({{{"status", 429},
				   {"headers", {{"Retry-After", "1"}}},
				   {"json", errorBody("rate_limit_exceeded", "Async task request rate exceeded")}}}));
	core::CallStats stats;
	auto created = f.client.createTask(f.request(), f.spec(), f.cancel, &stats);
	REQUIRE(created);
	CHECK(stats.attempts == 2);
	REQUIRE(stats.waits.size() == 1);
	CHECK(stats.waits[0] >= 1.0);
	auto creates = f.emu.requestsTo("create");
	REQUIRE(creates.size() == 2);
	double gap = creates[1]["time"].get<double>() - creates[0]["time"].get<double>();
	CHECK(gap >= 0.95);
	CHECK(f.emu.tasks().size() == 1); // exactly one task: the 429 created nothing
}

TEST_CASE("a 429 storm gives up after the policy's attempts with a rate-limit message", "[integration]")
{
	ClientFixture f;
	f.emu.script("create", json::array({{{"status", 429},
					     {"repeat", 10},
					     {"headers", {{"Retry-After", "0"}}},
					     {"json", errorBody("rate_limit_exceeded", "slow down")}}}));
	core::CallStats stats;
	auto created = f.client.createTask(f.request(), f.spec(), f.cancel, &stats);
	REQUIRE_FALSE(created);
	CHECK(created.error().kind == ErrorKind::RateLimited);
	CHECK(stats.attempts == f.client.config().retry.maxAttempts);
}

TEST_CASE("500/502 on create: outcome unknown, never resubmitted", "[integration]")
{
	ClientFixture f;
	f.emu.script("create", json::array({{{"status", 502},
					     {"headers", {{"Content-Type", "text/html"}}},
					     {"body", "<html><title>502 Bad Gateway</title></html>"},
					     {"then_create", true}}}));
	core::CallStats stats;
	auto created = f.client.createTask(f.request(), f.spec(), f.cancel, &stats);
	REQUIRE_FALSE(created);
	CHECK(created.error().kind == ErrorKind::OutcomeUnknown);
	CHECK(stats.attempts == 1);
	CHECK(f.emu.tasks().size() == 1); // the server did create it: a blind retry would have billed twice
}

TEST_CASE("503 rate_limit_unavailable: submits wait and retry, queries go on", "[integration]")
{
	ClientFixture f;
	f.emu.script("create",
		     json::array({{{"status", 503},
				   {"json", errorBody("rate_limit_unavailable",
						      "The async task submit limiter is temporarily unavailable")}}}));
	core::CallStats stats;
	auto created = f.client.createTask(f.request(), f.spec(), f.cancel, &stats);
	REQUIRE(created);
	CHECK(stats.attempts == 2);
	f.emu.script("query", json::array({{{"status", 503},
					    {"repeat", 2},
					    {"json", errorBody("rate_limit_unavailable", "limiter down")}}}));
	auto done = f.client.waitForTask(created->id, core::monotonicSeconds(), fastPoll(), f.cancel);
	REQUIRE(done);
	CHECK(done->state == core::TaskState::Succeeded);
}

TEST_CASE("500 and HTML bodies while polling are transient; the task still completes", "[integration]")
{
	ClientFixture f;
	auto created = f.client.createTask(f.request(), f.spec(), f.cancel);
	REQUIRE(created);
	f.emu.script("query", json::array({{{"passthrough", true}},
					   {{"status", 500}, {"json", errorBody("internal_error", "oops")}},
					   {{"status", 502},
					    {"headers", {{"Content-Type", "text/html"}}},
					    {"body", "<html><title>502 Bad Gateway</title></html>"}},
					   {{"status", 200}, {"body", "{\"id\":\"task_vid_1\",\"status\":\"compl"}}}));
	auto done = f.client.waitForTask(created->id, core::monotonicSeconds(), fastPoll(), f.cancel);
	REQUIRE(done);
	CHECK(done->state == core::TaskState::Succeeded);
	CHECK(f.emu.requestsTo("query").size() >= 5);
}

TEST_CASE("malformed JSON on create: outcome unknown (HTTP 200 means the task probably exists)", "[integration]")
{
	ClientFixture f;
	f.emu.script("create",
		     json::array({{{"status", 200}, {"body", "{\"id\": \"task_vid_12"}, {"then_create", true}}}));
	auto created = f.client.createTask(f.request(), f.spec(), f.cancel);
	REQUIRE_FALSE(created);
	CHECK(created.error().kind == ErrorKind::OutcomeUnknown);
}

TEST_CASE("a completed task without a URL is an error naming the task", "[integration]")
{
	ClientFixture f;
	f.emu.scenario({{"complete_without_url", true}});
	std::string out = f.dir.file("clip.mp4");
	std::string taskId;
	core::Error e = generate(f, out, nullptr, &taskId);
	REQUIRE(e);
	CHECK(e.messageKey == "Error.NoVideoUrl");
	CHECK(e.args.at("task") == taskId);
	requireNoPartial(out);
}

TEST_CASE("an expired URL: 403 from storage is reported as expired, nothing saved", "[integration]")
{
	ClientFixture f;
	f.emu.scenario({{"url_expired", true}});
	std::string out = f.dir.file("clip.mp4");
	core::Error e = generate(f, out);
	REQUIRE(e);
	CHECK(e.kind == ErrorKind::Expired);
	requireNoPartial(out);
}

TEST_CASE("a truncated download is resumed with Range and ends byte-identical", "[integration]")
{
	ClientFixture f;
	f.emu.scenario({{"download", {{"truncate_at", 20000}}}});
	double submitted = core::monotonicSeconds();
	auto created = f.client.createTask(f.request(), f.spec(), f.cancel);
	REQUIRE(created);
	auto done = f.client.waitForTask(created->id, submitted, fastPoll(), f.cancel);
	REQUIRE(done);
	// Only the first attempt is cut short.
	f.emu.script("download", json::array({{{"passthrough", true}}}));
	std::thread heal([&] {
		for (int i = 0; i < 100 && f.emu.requestsTo("download").empty(); ++i)
			std::this_thread::sleep_for(std::chrono::milliseconds(20));
		f.emu.scenario({{"download", {{"truncate_at", nullptr}}}});
	});
	std::string out = f.dir.file("clip.mp4");
	auto file = f.client.download(done->videoUrl, out, f.cancel);
	heal.join();
	REQUIRE(file);
	CHECK(file->attempts >= 2);
	CHECK(file->resumed);
	CHECK(sha256Hex(readAll(out)) == f.emu.task(created->id)["sha256"]);
	auto downloads = f.emu.requestsTo("download");
	REQUIRE(downloads.size() >= 2);
	std::string range = downloads.back()["headers"]["range"];
	CHECK(range.rfind("bytes=", 0) == 0);
	CHECK(std::stoll(range.substr(6)) % 20000 == 0); // resumed exactly where each cut happened
}

TEST_CASE("a download that keeps being truncated fails without leaving a partial file", "[integration]")
{
	ClientFixture f;
	f.emu.scenario({{"download", {{"truncate_at", 1000}, {"no_range", true}}}});
	std::string out = f.dir.file("clip.mp4");
	core::Error e = generate(f, out);
	REQUIRE(e);
	CHECK(e.messageKey == "Error.Download.Incomplete");
	requireNoPartial(out);
}

TEST_CASE("an HTML page instead of the video is discarded", "[integration]")
{
	ClientFixture f;
	f.emu.scenario({{"download", {{"body_kind", "html"}}}});
	std::string out = f.dir.file("clip.mp4");
	core::Error e = generate(f, out);
	REQUIRE(e);
	CHECK(e.messageKey == "Error.Download.NotVideo");
	requireNoPartial(out);
}

TEST_CASE("a slow body is read to the end; a stalled one is dropped", "[integration]")
{
	ClientFixture f;
	f.emu.scenario({{"download", {{"trickle_bps", 200000}}}});
	std::string out = f.dir.file("slow.mp4");
	REQUIRE_FALSE(generate(f, out));

	f.emu.script("query", json::array({{{"hang", true}, {"repeat", 20}}}));
	core::CallStats stats;
	auto start = std::chrono::steady_clock::now();
	auto t = f.client.getTask("task_vid_nothing", f.cancel, true, &stats);
	REQUIRE_FALSE(t);
	CHECK(t.error().kind == ErrorKind::Timeout);
	CHECK(stats.attempts == f.client.config().retry.maxAttempts);
	CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(20));
}

TEST_CASE("cancellation interrupts a hung request", "[integration][cancel]")
{
	ClientFixture f;
	f.emu.script("query", json::array({{{"hang", true}}}));
	core::CancelToken cancel;
	std::chrono::steady_clock::time_point cancelledAt;
	std::thread canceller([&] {
		std::this_thread::sleep_for(std::chrono::milliseconds(300));
		cancelledAt = std::chrono::steady_clock::now();
		cancel.cancel();
	});
	auto t = f.client.getTask("task_vid_x", cancel);
	auto returnedAt = std::chrono::steady_clock::now();
	canceller.join();
	REQUIRE_FALSE(t);
	// Cancelled, not Timeout: the token ended the request, not the 5 s request timeout.
	CHECK(t.error().kind == ErrorKind::Cancelled);
	auto latency = std::chrono::duration_cast<std::chrono::milliseconds>(returnedAt - cancelledAt);
	INFO("returned " << latency.count() << " ms after cancel()");
	// The bound is the shutdown promise (every thread joined within a second), not a speed figure.
	CHECK(latency < f.client.config().requestTimeout);
	CHECK(latency < std::chrono::seconds(1));
}

TEST_CASE("responses past their size cap are cut off", "[integration]")
{
	ClientFixture f;
	std::string huge = "{\"id\":\"t\",\"status\":\"queued\",\"pad\":\"" + std::string(2 << 20, 'x') + "\"}";
	f.emu.script("query", json::array({{{"status", 200}, {"body", huge}}}));
	auto t = f.client.getTask("task_vid_x", f.cancel, false);
	REQUIRE_FALSE(t);
	CHECK(t.error().messageKey == "Error.TooLarge");
}

TEST_CASE("the upload envelope's refusals come back as messages", "[integration]")
{
	ClientFixture f;
	f.emu.script(
		"upload",
		json::array({{{"status", 400},
			      {"json", {{"success", false}, {"message", "Image too large. Maximum size is 10MB"}}}}}));
	auto up = f.client.uploadImage(solidPng(640, 360, 1, 2, 3), "a.png", f.cancel);
	REQUIRE_FALSE(up);
	CHECK(up.error().providerMessage == "Image too large. Maximum size is 10MB");
	// Local checks refuse before sending anything.
	f.emu.admin("DELETE", "/_emu/requests");
	auto small = f.client.uploadImage(solidPng(200, 200, 1, 2, 3), "small.png", f.cancel);
	REQUIRE_FALSE(small);
	CHECK(small.error().messageKey == "Error.Image.Size");
	CHECK(f.emu.requestsTo("upload").empty());
}

TEST_CASE("connection refused and an insecure base URL", "[integration]")
{
	core::HttpEngine engine;
	core::CancelToken cancel;
	core::ClientConfig c;
	c.apiKey = "sk-whatever-12345678";
	c.baseUrl = "http://127.0.0.1:9"; // discard port: nothing listens
	c.retry.baseDelay = 0.01;
	core::ToApisClient client(engine, c);
	core::CallStats stats;
	auto r = client.listModels(cancel, &stats);
	REQUIRE_FALSE(r);
	CHECK(r.error().kind == ErrorKind::Network);
	CHECK(stats.attempts == c.retry.maxAttempts);

	c.baseUrl = "http://toapis.example.com";
	core::ToApisClient insecure(engine, c);
	CHECK(insecure.checkConfig().messageKey == "Error.BaseUrl");
	CHECK_FALSE(insecure.listModels(cancel));
}

TEST_CASE("models lists what the key may use; a wrong key is refused", "[integration]")
{
	ClientFixture f;
	auto m = f.client.listModels(f.cancel);
	REQUIRE(m);
	CHECK(std::find(m->begin(), m->end(), "doubao-seedance-1-5-pro") != m->end());
	core::ClientConfig wrong = f.config();
	wrong.apiKey = "sk-wrong-key-123456789";
	core::ToApisClient bad(f.engine, wrong);
	auto refused = bad.listModels(f.cancel);
	REQUIRE_FALSE(refused);
	CHECK(refused.error().kind == ErrorKind::Auth);
}

TEST_CASE("download progress carries the clip's size and comes at most every 250 ms", "[integration]")
{
	ClientFixture f;
	// 2 MiB at 2 MiB/s: about a second of transfer, so a handful of reports.
	f.emu.scenario({{"large_clip_mb", 2}, {"download", {{"trickle_bps", 2 * 1024 * 1024}}}});
	double submitted = core::monotonicSeconds();
	auto created = f.client.createTask(f.request(), f.spec(), f.cancel);
	REQUIRE(created);
	auto done = f.client.waitForTask(created->id, submitted, fastPoll(), f.cancel);
	REQUIRE(done);
	struct Report {
		double at;
		std::uint64_t bytes;
		std::optional<std::uint64_t> total;
	};
	std::vector<Report> reports;
	std::string out = f.dir.file("clip.mp4");
	auto file = f.client.download(done->videoUrl, out, f.cancel,
				      [&](std::uint64_t bytes, std::optional<std::uint64_t> total) {
					      reports.push_back({core::monotonicSeconds(), bytes, total});
				      });
	REQUIRE(file);
	CHECK(file->bytes == 2u * 1024 * 1024);
	REQUIRE(reports.size() >= 2);
	CHECK(reports.size() <= 6);
	for (size_t i = 0; i < reports.size(); ++i) {
		INFO("report " << i << " at " << reports[i].at - reports[0].at << " s: " << reports[i].bytes);
		REQUIRE(reports[i].total);
		CHECK(*reports[i].total == file->bytes);
		CHECK(reports[i].bytes <= file->bytes);
		if (i > 0)
			CHECK(reports[i].bytes > reports[i - 1].bytes);
		if (i > 0 && i + 1 < reports.size())
			CHECK(reports[i].at - reports[i - 1].at >= 0.24); // 0.25 s, timed a little earlier
	}
	CHECK(reports.back().bytes == file->bytes); // the last report says it is complete, at once
}
