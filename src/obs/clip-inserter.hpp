// core::ClipInserter over libobs: a new Media Source (ffmpeg_source) on top of the target scene, fitted to the
// canvas inside obs_scene_atomic_update (never a frame at the wrong size), with the playback policy applied
// (once then removed, once then hold, loop). Runs on its own worker thread, never on OBS's UI thread: adding an
// item waits for the graphics lock (up to a whole frame) and removing a media source joins its media thread, each
// tens of milliseconds that would freeze the UI (measured by build-aux/bench). obs-websocket makes the same calls
// from its own threads.
#pragma once

#include "core/job-runner.hpp"
#include "core/task-queue.hpp"

#include <obs.hpp>

#include <functional>
#include <memory>
#include <mutex>
#include <string>

namespace seedance::obs {

class ClipInserter : public core::ClipInserter {
public:
	// `currentScene` returns the scene to fall back to (the plugin: the current program scene); called on the
	// inserter's worker thread, so it must be thread-safe.
	explicit ClipInserter(std::function<OBSSource()> currentScene);
	~ClipInserter() override;

	void insert(const core::Job &job, std::function<void(core::InsertResult)> done) override;

	// Disconnects every media_ended handler and joins the worker (within one frame: an insertion in progress
	// finishes); later insertions and removals are dropped. Call at EXIT.
	void shutdown();

	// The work of insert(), synchronously on the calling thread. Public for tests.
	core::InsertResult insertNow(const core::Job &job);

	// "Seedance: <first words of the prompt>", unique among the sources.
	static std::string sourceNameFor(const std::string &prompt);

	struct Shared;

private:
	std::shared_ptr<Shared> shared_;
	core::TaskQueue worker_{"seedance-insert"}; // insertions and "once" removals, in order
};

} // namespace seedance::obs
