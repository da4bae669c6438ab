// Nothing paid for is lost: a runner stopped at each state and rebuilt on the same journal ends right, each task
// is submitted exactly once, the journal survives a SIGKILL mid-write and corruption, two instances never share
// one, and shutdown with stalled transfers takes well under a second.
#include "test-framework.hpp"

#include "runner-fixture.hpp"

#include "core/job-store.hpp"

#include <csignal>
#include <filesystem>
#include <fstream>
#include <random>
#include <sys/wait.h>
#include <unistd.h>

using namespace seedance;
using namespace seedance::test;
using core::JobState;
using nlohmann::json;

namespace {

// Forces the emulator's task for `taskId` to complete now (a task that was stalled on purpose).
void completeTask(Emulator &emu, const std::string &taskId)
{
	emu.admin("POST", "/_emu/tasks/" + taskId + "/complete", json::object());
}

} // namespace

TEST_CASE("a runner stopped at each state and rebuilt on its journal ends in the right state", "[runner][resume]")
{
	struct Case {
		const char *name;
		JobState stopAt;
		std::function<void(RunnerFixture &)> arrange;
		std::function<void(RunnerFixture &)> beforeRestart;
		JobState endState;
		bool outcomeUnknown;
		size_t creates; // create requests the emulator saw in total
	};
	std::vector<Case> cases = {
		{"capturing", JobState::Capturing, [](RunnerFixture &f) { f.frames.onCapture = blockUntilCancelled; },
		 nullptr, JobState::Failed, false, 0},
		{"encoding", JobState::Encoding, [](RunnerFixture &f) { f.frames.onEncode = blockUntilCancelled; },
		 nullptr, JobState::Failed, false, 0},
		{"uploading", JobState::Uploading,
		 [](RunnerFixture &f) {
			 f.emu.script("upload", json::array({{{"hang", true}}}));
		 },
		 nullptr, JobState::Failed, false, 0},
		{"submitting", JobState::Submitting,
		 [](RunnerFixture &f) {
			 f.emu.script("create", json::array({{{"hang", true}}}));
		 },
		 nullptr, JobState::Failed, true, 1},
		{"queued", JobState::Queued,
		 [](RunnerFixture &f) {
			 f.emu.scenario({{"queue_seconds", 600}});
		 },
		 [](RunnerFixture &f) { completeTask(f.emu, f.emu.tasks()[0]["id"]); }, JobState::Completed, false, 1},
		{"generating", JobState::Generating,
		 [](RunnerFixture &f) {
			 f.emu.scenario({{"queue_seconds", 0.1}, {"progress_mode", "stall"}});
		 },
		 [](RunnerFixture &f) { completeTask(f.emu, f.emu.tasks()[0]["id"]); }, JobState::Completed, false, 1},
		{"downloading", JobState::Downloading,
		 [](RunnerFixture &f) {
			 f.emu.scenario({{"download", {{"trickle_bps", 3000}}}});
		 },
		 [](RunnerFixture &f) {
			 f.emu.scenario({{"download", {{"trickle_bps", nullptr}}}});
		 },
		 JobState::Completed, false, 1},
		{"inserting", JobState::Inserting, [](RunnerFixture &f) { f.inserter.hold = true; }, nullptr,
		 JobState::Completed, false, 1},
	};
	for (auto &c : cases) {
		INFO("stopped while " << c.name);
		RunnerFixture f;
		c.arrange(f);
		std::string id = f.submit(f.spec(std::string("resume from ") + c.name));
		f.waitState(id, c.stopAt);
		if (c.stopAt == JobState::Submitting) {
			// The state is journaled before the request leaves: stop once the provider has it, as the case
			// means (a stop just before would rightly send nothing).
			for (int i = 0; i < 200 && f.emu.requestsTo("create").empty(); ++i)
				std::this_thread::sleep_for(std::chrono::milliseconds(10));
			REQUIRE(f.emu.requestsTo("create").size() == 1);
		}
		auto took = f.stop();
		CHECK(took < std::chrono::milliseconds(1000));

		// What OBS would find on disk.
		auto journaled = f.journal();
		REQUIRE(journaled.size() == 1);
		CHECK(journaled[0].state == c.stopAt);
		if (c.stopAt == JobState::Downloading) {
			// A crash (rather than this clean stop) leaves the partial download behind: the journal names it.
			REQUIRE_FALSE(journaled[0].downloadPath.empty());
			std::ofstream(journaled[0].downloadPath + ".part") << "left by a crash";
		}

		f.frames.onCapture = nullptr;
		f.frames.onEncode = nullptr;
		f.inserter.hold = false;
		f.emu.admin("DELETE", "/_emu/script");
		if (c.beforeRestart)
			c.beforeRestart(f);
		f.start();
		core::Job j = f.waitDone(id);
		CHECK(j.state == c.endState);
		CHECK(j.outcomeUnknown == c.outcomeUnknown);
		if (c.stopAt == JobState::Inserting) {
			// Downloaded earlier, never put into a live scene on its own.
			CHECK_FALSE(j.inserted);
			CHECK(j.notice.key == "Notice.ReadyFromEarlier");
			CHECK(core::fileExists(j.clipPath));
		}
		if (c.endState == JobState::Completed) {
			CHECK(core::fileExists(j.clipPath));
			CHECK(sha256Hex(readAll(j.clipPath)) == f.emu.task(j.taskId)["sha256"]);
			CHECK(j.downloadPath.empty());
			if (c.stopAt == JobState::Downloading)
				CHECK(j.clipPath ==
				      journaled[0].downloadPath); // the stale .part went, the name is reused
		}
		// No partial download is left in the clip folder, whatever was interrupted.
		if (std::filesystem::exists(f.dir.file("clips")))
			for (const auto &entry : std::filesystem::directory_iterator(f.dir.file("clips")))
				CHECK(entry.path().extension() != ".part");
		if (c.endState == JobState::Failed && !c.outcomeUnknown)
			CHECK(j.error.messageKey == "Error.Interrupted");
		std::this_thread::sleep_for(std::chrono::milliseconds(300));
		CHECK(f.emu.requestsTo("create").size() == c.creates); // submitted exactly once, never again
	}
}

TEST_CASE("an interrupted job before submit is retried from its kept frame", "[runner][resume]")
{
	RunnerFixture f;
	f.emu.script("upload", json::array({{{"hang", true}}}));
	std::string id = f.submit(f.spec("interrupted"));
	f.waitState(id, JobState::Uploading);
	f.stop();
	f.emu.admin("DELETE", "/_emu/script");
	f.start();
	REQUIRE(f.waitDone(id).state == JobState::Failed);
	REQUIRE_FALSE(f.runner->retry(id));
	CHECK(f.waitDone(id).state == JobState::Completed);
	CHECK(f.frames.begun == 1);
}

TEST_CASE("clips downloaded earlier go on air at start only when the setting says so", "[runner][resume]")
{
	RunnerFixture f;
	f.inserter.hold = true;
	std::string id = f.submit(f.spec("auto insert"));
	f.waitState(id, JobState::Inserting);
	f.stop();
	f.inserter.hold = false;
	f.start(3, /*insertResumed=*/true);
	core::Job j = f.waitDone(id);
	CHECK(j.state == JobState::Completed);
	CHECK(j.inserted);
}

TEST_CASE("an expired result is not downloaded after a long break", "[runner][resume]")
{
	RunnerFixture f;
	f.emu.scenario({{"download", {{"trickle_bps", 3000}}}});
	std::string id = f.submit(f.spec("expires"));
	f.waitState(id, JobState::Downloading);
	f.stop();
	// Edit the journal as if a day passed.
	auto jobs = f.journal();
	jobs[0].expiresAt = core::unixNow() - 10;
	REQUIRE_FALSE(core::writeFileAtomic(f.dir.file("config/jobs.json"), core::serializeJournal(jobs), true));
	f.start();
	core::Job j = f.waitDone(id);
	CHECK(j.state == JobState::Failed);
	CHECK(j.error.kind == core::ErrorKind::Expired);
}

TEST_CASE("shutdown with three jobs in flight and a stalling server takes under a second", "[runner][shutdown]")
{
	RunnerFixture f(3);
	f.emu.script("query", json::array({{{"hang", true}, {"repeat", 100}}}));
	f.emu.scenario({{"queue_seconds", 0.1}});
	std::vector<std::string> ids;
	for (int i = 0; i < 3; ++i)
		ids.push_back(f.submit(f.spec("stall " + std::to_string(i))));
	for (const auto &id : ids)
		f.waitState(id, JobState::Queued);
	std::this_thread::sleep_for(std::chrono::milliseconds(500)); // the polls are hanging now
	auto took = f.stop();
	CHECK(took < std::chrono::milliseconds(1000));
	INFO("shutdown took " << took.count() << " ms");
	auto journaled = f.journal();
	REQUIRE(journaled.size() == 3);
	for (const auto &j : journaled) {
		CHECK(j.state == JobState::Queued);
		CHECK_FALSE(j.taskId.empty());
	}
}

TEST_CASE("a journal killed mid-write is still readable", "[journal]")
{
	TempDir dir;
	// A big journal so that writes take a while.
	std::vector<core::Job> jobs;
	for (int i = 0; i < 150; ++i) {
		core::Job j;
		j.id = "job_" + std::to_string(i);
		core::JobMachine::restore(j, JobState::Completed, JobState::Completed);
		j.request.prompt = std::string(2000, 'p');
		j.createdAt = 1000 + i;
		jobs.push_back(j);
	}
	std::mt19937 rng(7);
	for (int round = 0; round < 20; ++round) {
		// The child says when its first write is on disk; the kill comes after that, at a
		// random point of a later write. Waiting for the word, not for a time, keeps the
		// test meaningful on a loaded machine or under ASan, where the first write is slow.
		int ready[2];
		REQUIRE(pipe(ready) == 0);
		pid_t child = fork();
		REQUIRE(child >= 0);
		if (child == 0) {
			close(ready[0]);
			core::JobStore store(dir.path());
			if (!store.open())
				_exit(3);
			for (int n = 0;; ++n) {
				jobs[0].request.prompt = "write " + std::to_string(n);
				if (store.write(jobs))
					_exit(4);
				if (n == 0) {
					char one = 1;
					if (::write(ready[1], &one, 1) != 1)
						_exit(5);
					close(ready[1]);
				}
			}
		}
		close(ready[1]);
		char word = 0;
		ssize_t got = read(ready[0], &word, 1); // EOF if the child died before its first write
		close(ready[0]);
		std::this_thread::sleep_for(std::chrono::milliseconds(rng() % 60));
		kill(child, SIGKILL);
		int status = 0;
		waitpid(child, &status, 0);
		INFO("round " << round << ": child " << (WIFEXITED(status) ? "exited " : "killed ")
			      << (WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status)));
		REQUIRE(got == 1);
		auto text = core::readFile(dir.file("jobs.json"), 64u << 20);
		REQUIRE(text);
		auto parsed = core::parseJournal(*text);
		REQUIRE(parsed);
		CHECK(parsed->size() == jobs.size());
	}
	// Leftover temporary files never shadow the journal.
	core::JobStore store(dir.path());
	auto loaded = store.open();
	REQUIRE(loaded);
	CHECK(loaded->size() == jobs.size());
}

TEST_CASE("a corrupt journal is set aside and the runner starts clean", "[journal]")
{
	TempDir dir;
	core::makeDirectories(dir.path());
	REQUIRE_FALSE(core::writeFileAtomic(dir.file("jobs.json"), "{\"jobs\": [ {\"id\": trunc", true));
	core::JobStore store(dir.path());
	auto loaded = store.open();
	REQUIRE(loaded);
	CHECK(loaded->empty());
	bool setAside = false;
	for (const auto &entry : std::filesystem::directory_iterator(dir.path()))
		setAside |= entry.path().filename().string().rfind("jobs.json.corrupt-", 0) == 0;
	CHECK(setAside);

	// Entries that make no sense are skipped, the rest kept.
	auto partial =
		core::parseJournal(R"({"version":1,"jobs":[{"id":"a","state":"completed","request":{"prompt":"x"}},
		{"id":"b","state":"no-such-state","request":{}}, 17, {"state":"queued"}]})");
	REQUIRE(partial);
	CHECK(partial->size() == 1);
	CHECK_FALSE(core::parseJournal("[]"));
	CHECK_FALSE(core::parseJournal(""));
}

TEST_CASE("two OBS instances never share a journal; an orphaned one is adopted", "[journal]")
{
	TempDir dir;
	auto makeJob = [](const std::string &id) {
		core::Job j;
		j.id = id;
		core::JobMachine::restore(j, JobState::Queued, JobState::Queued);
		j.taskId = "task_" + id;
		j.request.prompt = "p";
		j.createdAt = core::unixNow();
		return j;
	};
	auto first = std::make_unique<core::JobStore>(dir.path());
	REQUIRE(first->open());
	auto second = std::make_unique<core::JobStore>(dir.path());
	REQUIRE(second->open());
	CHECK(first->instance() == 1);
	CHECK(second->instance() == 2);
	CHECK(first->path() != second->path());
	REQUIRE_FALSE(first->write({makeJob("one")}));
	REQUIRE_FALSE(second->write({makeJob("two")}));

	// The second instance exits; the next start of the first slot adopts its journal.
	second.reset();
	first.reset();
	core::JobStore next(dir.path());
	auto loaded = next.open();
	REQUIRE(loaded);
	CHECK(loaded->size() == 2);
	CHECK_FALSE(core::fileExists(dir.file("jobs-2.json")));
	CHECK(core::fileMode(dir.file("jobs.json")) == 0600u);
}

TEST_CASE("history keeps the last 200 finished jobs", "[journal]")
{
	TempDir dir;
	core::JobStore store(dir.path());
	REQUIRE(store.open());
	std::vector<core::Job> jobs;
	for (int i = 0; i < 230; ++i) {
		core::Job j;
		j.id = "job_" + std::to_string(i);
		JobState state = i == 5 ? JobState::Generating : JobState::Completed;
		core::JobMachine::restore(j, state, state);
		j.request.prompt = "p";
		jobs.push_back(j);
	}
	std::vector<core::Job> dropped;
	REQUIRE_FALSE(store.write(jobs, &dropped));
	auto kept = core::parseJournal(*core::readFile(store.path(), 64u << 20));
	REQUIRE(kept);
	CHECK(kept->size() == 201); // 200 finished + the running one
	CHECK(dropped.size() == 29);
}
