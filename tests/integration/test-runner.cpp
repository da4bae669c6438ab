// The job runner against the emulator: the happy path, a failure at each stage, cancellation at each stage,
// concurrency, retries.
#include "test-framework.hpp"

#include "runner-fixture.hpp"

#include "core/text.hpp"

#include <filesystem>
#include <set>

using namespace seedance;
using namespace seedance::test;
using core::JobState;
using nlohmann::json;

namespace {
json errorBody(const std::string &code, const std::string &message)
{
	return {{"error", {{"code", code}, {"message", message}}}};
}
} // namespace

TEST_CASE("runner happy path: every state in order, the clip byte-identical, on air", "[runner]")
{
	RunnerFixture f;
	std::string id = f.submit(f.spec());
	core::Job done = f.waitDone(id);
	REQUIRE(done.state == JobState::Completed);
	CHECK(done.inserted);
	CHECK(done.sceneName == "Scene");
	CHECK(done.progress == 100);
	CHECK_FALSE(done.taskId.empty());
	CHECK(done.request.aspectRatio == "16:9");
	CHECK(sha256Hex(readAll(done.clipPath)) == f.emu.task(done.taskId)["sha256"]);
	CHECK(done.clipPath.rfind(f.dir.file("clips/"), 0) == 0);
	CHECK(core::fileExists(done.firstFramePath));
	CHECK(core::fileExists(done.thumbnailPath));
	CHECK(f.inserter.count() == 1);

	auto states = f.statesOf(id);
	std::vector<JobState> expected = {JobState::Capturing,  JobState::Encoding,    JobState::Waiting,
					  JobState::Uploading,  JobState::Submitting,  JobState::Queued,
					  JobState::Generating, JobState::Downloading, JobState::Inserting,
					  JobState::Completed};
	// Queued may be skipped when the first poll already sees progress; everything else appears in order.
	std::vector<JobState> seen;
	for (auto s : states)
		if (std::find(seen.begin(), seen.end(), s) == seen.end())
			seen.push_back(s);
	std::vector<JobState> filtered;
	for (auto s : expected)
		if (s != JobState::Queued || std::find(seen.begin(), seen.end(), JobState::Queued) != seen.end())
			filtered.push_back(s);
	CHECK(seen == filtered);

	// Each state seen has the time it was entered, in order, and the public JSON shows them.
	std::int64_t previous = 0;
	for (auto s : filtered) {
		INFO(core::jobStateName(s));
		REQUIRE(done.enteredAtMs.count(s) == 1);
		CHECK(done.enteredAtMs.at(s) >= previous);
		previous = done.enteredAtMs.at(s);
	}
	CHECK(core::jobToPublicJson(done)["timings"]["completed"] == done.enteredAtMs.at(JobState::Completed));
	// Not journaled: a resumed job's timings start in the session that resumes it.
	CHECK(readAll(f.dir.file("config/jobs.json")).find("timings") == std::string::npos);

	auto journal = f.journal();
	REQUIRE(journal.size() == 1);
	CHECK(journal[0].state == JobState::Completed);
	CHECK(journal[0].clipPath == done.clipPath);
	std::string text = readAll(f.dir.file("config/jobs.json"));
	CHECK(text.find(Emulator::kKey) == std::string::npos);
	CHECK(text.find("sig=") == std::string::npos); // the signed URL is never journaled
	CHECK(core::fileMode(f.dir.file("config/jobs.json")) == 0600u);

	auto creates = f.emu.requestsTo("create");
	REQUIRE(creates.size() == 1);
	CHECK(creates[0]["json"]["metadata"]["resolution"] == "480p");
	CHECK(creates[0]["json"]["image_with_roles"][0]["role"] == "first_frame");
}

#ifdef __linux__
TEST_CASE("the runner's threads carry names (top -H, perf and build-aux/bench tell them from OBS's)", "[runner]")
{
	RunnerFixture f;
	std::multiset<std::string> names;
	// Each thread names itself as it starts: look until they all have (or a while has passed).
	for (int i = 0; i < 200; ++i) {
		names.clear();
		for (const auto &task : std::filesystem::directory_iterator("/proc/self/task")) {
			std::string comm = readAll((task.path() / "comm").string());
			names.insert(comm.substr(0, comm.find('\n')));
		}
		if (names.count("seedance-slot") == static_cast<size_t>(f.runner->config().maxConcurrent) &&
		    names.count("seedance-prep") && names.count("seedance-ctl"))
			break;
		std::this_thread::sleep_for(std::chrono::milliseconds(10));
	}
	CHECK(names.count("seedance-prep") == 1);
	CHECK(names.count("seedance-ctl") == 1);
	CHECK(names.count("seedance-slot") == static_cast<size_t>(f.runner->config().maxConcurrent));
	CHECK(names.count("seedance-http") >= 1);
}
#endif

TEST_CASE("invalid requests are refused before anything is captured or sent", "[runner]")
{
	RunnerFixture f;
	auto s = f.spec();
	s.request.duration = 3;
	auto r = f.runner->submit(s);
	REQUIRE_FALSE(r);
	CHECK(r.error().messageKey == "Error.Invalid.Duration");
	s = f.spec("");
	CHECK(f.runner->submit(s).error().messageKey == "Error.Invalid.PromptEmpty");
	CHECK(f.frames.begun == 0);
	CHECK(f.emu.requests().empty());
	CHECK(f.runner->jobs().empty());
}

TEST_CASE("a failure at each stage ends failed, with that stage and a message", "[runner]")
{
	core::setLanguage("en-US");
	RunnerFixture f;
	struct Case {
		const char *name;
		std::function<void(RunnerFixture &)> arrange;
		JobState stage;
		std::string key;
	};
	std::vector<Case> cases = {
		{"capturing",
		 [](RunnerFixture &x) {
			 x.frames.onCapture = [](const core::CancelToken &) {
				 return core::makeError(core::ErrorKind::Capture, "Error.Capture.SourceGone", "gone",
							{{"source", "Cam"}});
			 };
		 },
		 JobState::Capturing, "Error.Capture.SourceGone"},
		{"encoding",
		 [](RunnerFixture &x) {
			 x.frames.onEncode = [](const core::CancelToken &) {
				 return core::makeError(core::ErrorKind::InvalidInput, "Error.Capture.TooSmall",
							"small",
							{{"width", "200"},
							 {"height", "200"},
							 {"source_width", "200"},
							 {"source_height", "200"}});
			 };
		 },
		 JobState::Encoding, "Error.Capture.TooSmall"},
		{"uploading",
		 [](RunnerFixture &x) {
			 x.emu.script("upload",
				      json::array({{{"status", 400},
						    {"json",
						     {{"success", false}, {"message", "Unsupported image type"}}}}}));
		 },
		 JobState::Uploading, "Error.Rejected"},
		{"submitting",
		 [](RunnerFixture &x) {
			 x.emu.script("create",
				      json::array({{{"status", 402},
						    {"json", errorBody("insufficient_quota", "balance too low")}}}));
		 },
		 JobState::Submitting, "Error.Quota"},
		{"generating",
		 [](RunnerFixture &x) {
			 x.emu.scenario({{"fail",
					  {{"code", "generation_failed"},
					   {"message", "Content violates the content policy"}}}});
		 },
		 JobState::Generating, "Error.ContentRejected"},
		{"downloading",
		 [](RunnerFixture &x) {
			 x.emu.scenario({{"fail", nullptr}, {"url_expired", true}});
		 },
		 JobState::Downloading, "Error.Download.Forbidden"},
	};
	for (auto &c : cases) {
		INFO("failure while " << c.name);
		f.frames.onCapture = nullptr;
		f.frames.onEncode = nullptr;
		f.emu.admin("DELETE", "/_emu/script");
		c.arrange(f);
		std::string id = f.submit(f.spec(std::string("fail at ") + c.name));
		core::Job j = f.waitDone(id);
		CHECK(j.state == JobState::Failed);
		CHECK(j.stage == c.stage);
		CHECK(j.error.messageKey == c.key);
		CHECK_FALSE(core::userMessage(j.error).empty());
		CHECK(core::jobToPublicJson(j)["error"]["message"].get<std::string>() == core::userMessage(j.error));
		CHECK(j.clipPath.empty());
	}
	f.emu.scenario({{"url_expired", false}});
	// The inserter failing leaves the clip in the library, with the reason.
	f.inserter.failWith = core::makeError(core::ErrorKind::Internal, "Error.Insert.Failed", "no scene");
	std::string id = f.submit(f.spec("insert fails"));
	core::Job j = f.waitDone(id);
	CHECK(j.state == JobState::Completed);
	CHECK_FALSE(j.inserted);
	CHECK(j.notice.key == "Notice.NotInserted");
	CHECK(core::fileExists(j.clipPath));
	// No clip file stands for any failed job, and no .part is left.
	for (const auto &entry : std::filesystem::directory_iterator(f.dir.file("clips")))
		CHECK(entry.path().extension() == ".mp4");
}

TEST_CASE("a create whose outcome is unknown is flagged and never resubmitted", "[runner]")
{
	RunnerFixture f;
	f.emu.script("create", json::array({{{"status", 502}, {"body", "<html>502</html>"}, {"then_create", true}}}));
	std::string id = f.submit(f.spec());
	core::Job j = f.waitDone(id);
	CHECK(j.state == JobState::Failed);
	CHECK(j.stage == JobState::Submitting);
	CHECK(j.outcomeUnknown);
	CHECK(j.error.kind == core::ErrorKind::OutcomeUnknown);
	std::this_thread::sleep_for(std::chrono::milliseconds(500));
	CHECK(f.emu.requestsTo("create").size() == 1);
}

TEST_CASE("cancellation at each stage", "[runner][cancel]")
{
	RunnerFixture f(1);
	struct Case {
		const char *name;
		JobState at;
		std::function<void(RunnerFixture &)> arrange;
		bool billable;
	};
	std::vector<Case> cases = {
		{"capturing", JobState::Capturing, [](RunnerFixture &x) { x.frames.onCapture = blockUntilCancelled; },
		 false},
		{"encoding", JobState::Encoding, [](RunnerFixture &x) { x.frames.onEncode = blockUntilCancelled; },
		 false},
		{"uploading", JobState::Uploading,
		 [](RunnerFixture &x) {
			 x.emu.script("upload", json::array({{{"hang", true}}}));
		 },
		 false},
		{"submitting", JobState::Submitting,
		 [](RunnerFixture &x) {
			 x.emu.script("create", json::array({{{"hang", true}}}));
		 },
		 true},
		{"queued", JobState::Queued,
		 [](RunnerFixture &x) {
			 x.emu.scenario({{"queue_seconds", 60}});
		 },
		 true},
		{"generating", JobState::Generating,
		 [](RunnerFixture &x) {
			 x.emu.scenario({{"queue_seconds", 0.1}, {"progress_mode", "stall"}});
		 },
		 true},
		{"downloading", JobState::Downloading,
		 [](RunnerFixture &x) {
			 x.emu.scenario({{"progress_mode", "linear"},
					 {"generate_seconds", 0.3},
					 {"download", {{"trickle_bps", 2000}}}});
		 },
		 true},
		{"inserting", JobState::Inserting,
		 [](RunnerFixture &x) {
			 x.emu.scenario({{"download", {{"trickle_bps", nullptr}}}});
			 x.inserter.hold = true;
		 },
		 true},
	};
	for (auto &c : cases) {
		INFO("cancel while " << c.name);
		f.frames.onCapture = nullptr;
		f.frames.onEncode = nullptr;
		f.emu.admin("DELETE", "/_emu/script");
		c.arrange(f);
		std::string id = f.submit(f.spec(std::string("cancel at ") + c.name));
		f.waitState(id, c.at);
		auto start = std::chrono::steady_clock::now();
		REQUIRE_FALSE(f.runner->cancel(id));
		core::Job j = f.waitDone(id, 5);
		CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(2));
		CHECK(j.state == JobState::Cancelled);
		CHECK(j.stage == c.at);
		// From submitting on, the provider may still finish and bill: the job says so.
		bool warned = j.notice.key == "Notice.MayStillBill";
		CHECK(warned == (c.billable && c.at != JobState::Inserting));
		CHECK(j.clipPath.empty() == (c.at != JobState::Inserting));
	}
	// Nothing partial in the clip folder.
	if (std::filesystem::exists(f.dir.file("clips")))
		for (const auto &entry : std::filesystem::directory_iterator(f.dir.file("clips")))
			CHECK(entry.path().extension() != ".part");
}

TEST_CASE("a queued job waits for a slot and can be cancelled there", "[runner][cancel]")
{
	RunnerFixture f(1);
	f.emu.script("upload", json::array({{{"hang", true}}}));
	std::string hog = f.submit(f.spec("hog the only slot"));
	f.waitState(hog, JobState::Uploading);
	std::string queued = f.submit(f.spec("wait for a slot"));
	f.waitState(queued, JobState::Waiting);
	std::this_thread::sleep_for(std::chrono::milliseconds(200));
	CHECK(f.runner->job(queued)->state == JobState::Waiting);
	REQUIRE_FALSE(f.runner->cancel(queued));
	CHECK(f.waitDone(queued, 2).state == JobState::Cancelled);
	REQUIRE_FALSE(f.runner->cancel(hog));
	f.waitDone(hog, 2);
}

TEST_CASE("three jobs run at once", "[runner]")
{
	RunnerFixture f(3);
	f.emu.scenario({{"queue_seconds", 0.1}, {"generate_seconds", 1.5}});
	std::vector<std::string> ids;
	for (int i = 0; i < 3; ++i)
		ids.push_back(f.submit(f.spec("concurrent " + std::to_string(i))));
	std::set<std::string> clips;
	for (const auto &id : ids) {
		core::Job j = f.waitDone(id);
		CHECK(j.state == JobState::Completed);
		clips.insert(j.clipPath);
	}
	CHECK(clips.size() == 3);
	auto tasks = f.emu.tasks();
	REQUIRE(tasks.size() == 3);
	// All three were generating at the same time: each was created before any completed.
	double lastCreated = 0, firstCompleted = 1e18;
	for (const auto &t : tasks) {
		lastCreated = std::max(lastCreated, t["created_at"].get<double>());
		firstCompleted = std::min(firstCompleted, t["completed_at"].get<double>());
	}
	CHECK(lastCreated < firstCompleted);
	CHECK(f.runner->jobs().front().id == ids.back()); // newest first
}

TEST_CASE("retry: before submit it submits again, after submit it polls and downloads again", "[runner]")
{
	RunnerFixture f;
	f.emu.script("upload", json::array({{{"status", 503}, {"repeat", 10}, {"json", errorBody("x", "down")}}}));
	std::string id = f.submit(f.spec("retry me"));
	core::Job failed = f.waitDone(id);
	REQUIRE(failed.state == JobState::Failed);
	CHECK(failed.stage == JobState::Uploading);
	f.emu.admin("DELETE", "/_emu/script");
	REQUIRE_FALSE(f.runner->retry(id));
	core::Job done = f.waitDone(id);
	CHECK(done.state == JobState::Completed);
	CHECK(f.frames.begun == 1); // the kept frame was reused, not recaptured

	f.emu.scenario({{"url_expired", true}});
	std::string id2 = f.submit(f.spec("download fails"));
	core::Job expired = f.waitDone(id2);
	REQUIRE(expired.stage == JobState::Downloading);
	f.emu.scenario({{"url_expired", false}});
	REQUIRE_FALSE(f.runner->retry(id2));
	core::Job redone = f.waitDone(id2);
	CHECK(redone.state == JobState::Completed);
	CHECK(f.emu.requestsTo("create").size() == 2); // one per job: the second retry re-downloaded only

	CHECK(f.runner->retry(id).messageKey == "Error.NotRetryable");
	REQUIRE_FALSE(f.runner->remove(id));
	CHECK_FALSE(f.runner->job(id));
	// The kept frames go on the runner's control worker, shortly after.
	for (int i = 0; i < 100 && core::fileExists(done.firstFramePath); ++i)
		std::this_thread::sleep_for(std::chrono::milliseconds(20));
	CHECK_FALSE(core::fileExists(done.firstFramePath));
	CHECK(core::fileExists(done.clipPath)); // removing a job never deletes its clip
}

TEST_CASE("library-only jobs and clip names that never overwrite", "[runner]")
{
	RunnerFixture f;
	auto s = f.spec("Same Prompt! 同一个提示");
	s.target.kind = core::JobTarget::Kind::Library;
	std::string a = f.submit(s);
	std::string b = f.submit(s);
	core::Job ja = f.waitDone(a), jb = f.waitDone(b);
	CHECK(ja.state == JobState::Completed);
	CHECK_FALSE(ja.inserted);
	CHECK(f.inserter.count() == 0);
	CHECK(ja.clipPath != jb.clipPath);
	std::string name = std::filesystem::path(ja.clipPath).filename().string();
	CHECK(name.find("-same-prompt-同一个提示") != std::string::npos);
	CHECK(name.size() > 16);
}

TEST_CASE("no key: refused at once with what to do", "[runner]")
{
	RunnerFixture f;
	auto c = f.runner->config();
	c.client.apiKey.clear();
	f.runner->reconfigure(c.client, 3, c.clipFolder);
	auto r = f.runner->submit(f.spec());
	REQUIRE_FALSE(r);
	CHECK(r.error().messageKey == "Error.NoKey");
	CHECK(f.frames.begun == 0);
}
