// JobRunner test fixture: the real runner, the real HTTP client and disk, against the emulator. Capture and
// insertion are injected by design (src/obs implements them; they have their own headless libobs tests), so here
// they are small scriptable stand-ins that produce real encoded frames and record insertions.
#pragma once

#include "client-fixture.hpp"

#include "core/file-util.hpp"
#include "core/job-runner.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>

namespace seedance::test {

class ScriptedFrames : public core::FrameProvider {
public:
	// Hooks run on the runner's prep worker; return an Error to fail that step.
	std::function<core::Error(const core::CancelToken &)> onCapture;
	std::function<core::Error(const core::CancelToken &)> onEncode;
	std::function<void(core::EncodedFrame &)> onEncoded; // alters the encoded frame (e.g. makes it too large)
	std::atomic<int> begun{0};
	int sourceWidth = 1280;
	int sourceHeight = 720;

	std::shared_ptr<core::FrameCapture> begin(const core::FrameRequest &request) override
	{
		++begun;
		return std::make_shared<Capture>(*this, request);
	}

private:
	struct Capture : core::FrameCapture {
		ScriptedFrames &owner;
		core::FrameRequest request;
		Capture(ScriptedFrames &o, core::FrameRequest r) : owner(o), request(std::move(r)) {}
		core::Error waitCaptured(const core::CancelToken &cancel) override
		{
			return owner.onCapture ? owner.onCapture(cancel) : core::Error{};
		}
		core::Result<core::EncodedFrame> encode(const core::CancelToken &cancel) override
		{
			if (owner.onEncode)
				if (core::Error e = owner.onEncode(cancel))
					return e;
			const auto &spec = *core::ModelCatalog::builtin().find(request.model);
			auto layout = core::planFrame(owner.sourceWidth, owner.sourceHeight, request.aspectRatio,
						      request.resolution, spec);
			if (!layout)
				return layout.error();
			core::EncodedFrame frame;
			frame.aspectRatio = layout->aspectRatio;
			frame.image.bytes = solidPng(layout->output.width, layout->output.height, 40, 90, 200);
			frame.image.width = layout->output.width;
			frame.image.height = layout->output.height;
			frame.image.format = core::ImageFormat::Png;
			frame.image.thumbnailJpeg = "thumb";
			if (owner.onEncoded)
				owner.onEncoded(frame);
			return frame;
		}
	};
};

class RecordingInserter : public core::ClipInserter {
public:
	std::mutex mutex;
	std::vector<core::Job> requests;
	std::vector<std::function<void(core::InsertResult)>> held;
	bool hold = false;    // keep the callbacks (the UI never answers)
	core::Error failWith; // answer with this error

	void insert(const core::Job &job, std::function<void(core::InsertResult)> done) override
	{
		std::unique_lock<std::mutex> lock(mutex);
		requests.push_back(job);
		if (hold) {
			held.push_back(std::move(done));
			return;
		}
		core::InsertResult r;
		r.error = failWith;
		r.sceneName = job.target.name.empty() ? "Scene" : job.target.name;
		r.sourceName = "Seedance: test";
		lock.unlock();
		done(std::move(r));
	}
	size_t count()
	{
		std::lock_guard<std::mutex> lock(mutex);
		return requests.size();
	}
};

// A runner over a data folder that outlives it (so a test can rebuild one on the same journal).
struct RunnerFixture {
	std::unique_ptr<Emulator> ownEmulator; // null when the test brings its own (shared) emulator
	Emulator &emu;
	core::HttpEngine engine;
	TempDir dir;
	ScriptedFrames frames;
	RecordingInserter inserter;
	// Applied by start() after the defaults (timeouts, folders, retry policy of a fault test).
	std::function<void(core::RunnerConfig &)> tune;
	bool requireDurable = true; // start() requires the journal to open
	std::unique_ptr<core::JobRunner> runner;
	std::mutex seenMutex;
	std::vector<std::pair<std::string, core::JobState>> seen; // every update (id, state)
	std::vector<core::Job> updates;                           // every update, in order
	std::vector<core::Job> loaded;                            // the jobs as each start() found them in the journal

	explicit RunnerFixture(int slots = 3) : ownEmulator(std::make_unique<Emulator>()), emu(*ownEmulator)
	{
		emu.scenario({{"queue_seconds", 0.2}, {"generate_seconds", 0.6}});
		start(slots);
	}
	// On an emulator the caller owns (reset by the caller), with `tuneConfig` applied; started unless told not
	// to (then set `requireDurable` or more, and call start()).
	RunnerFixture(Emulator &shared, std::function<void(core::RunnerConfig &)> tuneConfig, int slots = 3,
		      bool startNow = true)
		: emu(shared),
		  tune(std::move(tuneConfig))
	{
		if (startNow)
			start(slots);
	}
	~RunnerFixture()
	{
		if (runner)
			runner->shutdown();
	}

	core::RunnerConfig config(int slots)
	{
		core::RunnerConfig c;
		c.client.baseUrl = emu.baseUrl();
		c.client.apiKey = Emulator::kKey;
		c.client.retry.baseDelay = 0.05;
		c.client.retry.maxDelay = 0.3;
		c.client.requestTimeout = std::chrono::milliseconds(5000);
		c.client.stallTimeout = std::chrono::seconds(3);
		c.poll = fastPoll();
		c.clipFolder = dir.file("clips");
		c.dataFolder = dir.file("config");
		c.maxConcurrent = slots;
		return c;
	}

	void start(int slots = 3, bool insertResumed = false)
	{
		auto c = config(slots);
		c.insertResumedClips = insertResumed;
		if (tune)
			tune(c);
		runner = std::make_unique<core::JobRunner>(c, engine, &frames, &inserter);
		runner->subscribe([this](const core::Job &j) {
			std::lock_guard<std::mutex> lock(seenMutex);
			if (seen.empty() || seen.back().first != j.id || seen.back().second != j.state)
				seen.emplace_back(j.id, j.state);
			updates.push_back(j);
		});
		core::Error started = runner->start();
		{
			std::lock_guard<std::mutex> lock(seenMutex);
			for (const auto &job : runner->jobs())
				loaded.push_back(job);
		}
		if (requireDurable)
			REQUIRE_FALSE(started);
	}

	// Stops the runner like OBS exiting (jobs stay journaled) and returns how long it took.
	std::chrono::milliseconds stop()
	{
		auto took = runner->shutdown();
		runner.reset();
		return took;
	}

	core::JobSpec spec(const std::string &prompt = "the cat jumps over the sofa")
	{
		core::JobSpec s;
		s.request.prompt = prompt;
		s.request.resolution = "480p";
		s.target.kind = core::JobTarget::Kind::Scene;
		s.target.name = "Scene";
		return s;
	}

	std::string submit(core::JobSpec s)
	{
		auto id = runner->submit(std::move(s));
		REQUIRE(id);
		return *id;
	}

	// Polls the job until `pred` holds (or fails the test after `seconds`), and then until subscribers have been told
	// of that state too. The runner stores a change first, then journals and announces it outside its lock: a test
	// that reads the updates or the journal as soon as runner->job() shows a state races the announcement (seen once
	// under load, the happy path's update list one state short). A job loaded from the journal in that state counts
	// as told: nothing is announced for it.
	core::Job waitUntil(const std::string &id, const std::function<bool(const core::Job &)> &pred,
			    double seconds = 30)
	{
		auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(int(seconds * 1000));
		std::optional<core::Job> hit; // the first snapshot for which pred held
		auto told = [&](const core::Job &u) {
			return u.id == id && u.state == hit->state && u.updatedAt >= hit->updatedAt && pred(u);
		};
		while (true) {
			auto j = runner->job(id);
			REQUIRE(j);
			if (!hit && pred(*j))
				hit = *j;
			if (hit) {
				std::lock_guard<std::mutex> lock(seenMutex);
				if (std::any_of(updates.begin(), updates.end(), told) ||
				    std::any_of(loaded.begin(), loaded.end(), told))
					return *hit;
			}
			if (std::chrono::steady_clock::now() > deadline) {
				FAIL("job " << id << " stuck in " << core::jobStateName(j->state)
					    << (hit ? " (the change was never announced to subscribers)" : ""));
			}
			std::this_thread::sleep_for(std::chrono::milliseconds(20));
		}
	}
	core::Job waitState(const std::string &id, core::JobState state, double seconds = 30)
	{
		return waitUntil(
			id, [&](const core::Job &j) { return j.state == state; }, seconds);
	}
	core::Job waitDone(const std::string &id, double seconds = 30)
	{
		return waitUntil(
			id, [](const core::Job &j) { return core::isTerminal(j.state); }, seconds);
	}

	std::vector<core::JobState> statesOf(const std::string &id)
	{
		std::lock_guard<std::mutex> lock(seenMutex);
		std::vector<core::JobState> out;
		for (const auto &[jid, state] : seen)
			if (jid == id)
				out.push_back(state);
		return out;
	}

	// Every update of one job, in order (what the dock showed).
	std::vector<core::Job> updatesOf(const std::string &id)
	{
		std::lock_guard<std::mutex> lock(seenMutex);
		std::vector<core::Job> out;
		for (const auto &j : updates)
			if (j.id == id)
				out.push_back(j);
		return out;
	}

	std::vector<core::Job> journal(const std::string &path = {})
	{
		auto text = core::readFile(path.empty() ? dir.file("config/jobs.json") : path, 64u << 20);
		REQUIRE(text);
		auto jobs = core::parseJournal(*text);
		REQUIRE(jobs);
		return *jobs;
	}
};

// Blocks until cancelled (a step that never finishes by itself).
inline core::Error blockUntilCancelled(const core::CancelToken &cancel)
{
	while (!cancel.waitFor(std::chrono::milliseconds(50))) {
	}
	return core::makeError(core::ErrorKind::Cancelled, "Error.Cancelled", "cancelled");
}

} // namespace seedance::test
