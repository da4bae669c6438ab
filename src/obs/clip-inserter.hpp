// core::ClipInserter over libobs: a new Media Source (ffmpeg_source) on top of the target scene, fitted to the
// canvas inside obs_scene_atomic_update (never a frame at the wrong size), with the playback policy applied
// (once then removed, once then hold, loop). Runs on the UI thread through obs_queue_task(OBS_TASK_UI).
#pragma once

#include "core/job-runner.hpp"

#include <obs.hpp>

#include <functional>
#include <memory>
#include <mutex>
#include <string>

namespace seedance::obs {

class ClipInserter : public core::ClipInserter {
public:
	// `currentScene` returns the scene to fall back to (the plugin: the current program scene); called on the
	// UI thread.
	explicit ClipInserter(std::function<OBSSource()> currentScene);
	~ClipInserter() override;

	void insert(const core::Job &job, std::function<void(core::InsertResult)> done) override;

	// Disconnects every media_ended handler; later insertions and removals are dropped. Call at EXIT.
	void shutdown();

	// The work of insert(), synchronously on the calling thread (the UI thread). Public for tests.
	core::InsertResult insertNow(const core::Job &job);

	// "Seedance: <first words of the prompt>", unique among the sources.
	static std::string sourceNameFor(const std::string &prompt);

	struct Shared;

private:
	std::shared_ptr<Shared> shared_;
};

} // namespace seedance::obs
