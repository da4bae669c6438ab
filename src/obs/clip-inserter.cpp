// Media Source insertion and the "play once then remove" policy.
#include "clip-inserter.hpp"

#include "clip-slot-source.hpp"

#include "core/log.hpp"
#include "core/text.hpp"

#include <obs.h>

#include <algorithm>
#include <cstdint>
#include <unordered_map>
#include <vector>

namespace seedance::obs {

// A clip playing with "once then removed": the item goes when its source says media_ended.
//
// Only weak references: OBS may destroy the source at any time (the streamer deletes it, OBS exits and destroys every
// source before OBS_FRONTEND_EVENT_EXIT). The source's signal handler is reached through a strong reference taken
// for the call, never kept: it is freed with the source.
struct Playback {
	std::uint64_t id = 0;
	OBSWeakSource scene;
	int64_t itemId = 0;
	OBSWeakSource source;
};

struct ClipInserter::Shared {
	std::function<OBSSource()> currentScene;
	std::mutex mutex;
	bool stopped = false;
	core::TaskQueue *worker = nullptr; // the inserter's; only used under `mutex` while not stopped
	std::vector<Playback> playing;

	void forget(std::uint64_t id);
};

namespace {

// The media_ended callback's parameter is a number looked up here, never a pointer to a Playback: OBS can still call
// it while it destroys a source the plugin has already let go of (the media thread stops only inside the source's
// destroy, after the last reference is gone), so an unknown number is simply ignored. Process-wide, so it outlives
// every inserter; OBS unloads the module only after every source is destroyed.
struct PlaybackRegistry {
	std::mutex mutex;
	std::uint64_t next = 1;
	std::unordered_map<std::uint64_t, std::weak_ptr<ClipInserter::Shared>> owners;

	static PlaybackRegistry &get()
	{
		static PlaybackRegistry registry;
		return registry;
	}
	std::uint64_t add(const std::shared_ptr<ClipInserter::Shared> &owner)
	{
		std::lock_guard<std::mutex> lock(mutex);
		owners.emplace(next, owner);
		return next++;
	}
	std::shared_ptr<ClipInserter::Shared> owner(std::uint64_t id)
	{
		std::lock_guard<std::mutex> lock(mutex);
		auto it = owners.find(id);
		return it == owners.end() ? nullptr : it->second.lock();
	}
	void remove(std::uint64_t id)
	{
		std::lock_guard<std::mutex> lock(mutex);
		owners.erase(id);
	}
};

void *callbackParam(std::uint64_t id)
{
	return reinterpret_cast<void *>(static_cast<std::uintptr_t>(id));
}

void onMediaEnded(void *param, calldata_t *);

// Disconnects from the source if it still exists. A source already gone took its signal handler with it.
void disconnect(const Playback &p)
{
	OBSSourceAutoRelease source = obs_weak_source_get_source(p.source);
	if (source)
		signal_handler_disconnect(obs_source_get_signal_handler(source), "media_ended", onMediaEnded,
					  callbackParam(p.id));
}

struct AtomicAdd {
	obs_source_t *source;
	obs_sceneitem_t *item = nullptr;
};

void addFitted(void *data, obs_scene_t *scene)
{
	auto *add = static_cast<AtomicAdd *>(data);
	add->item = obs_scene_add(scene, add->source);
	if (!add->item)
		return;
	obs_video_info ovi;
	obs_get_video_info(&ovi);
	vec2 pos = {0.0f, 0.0f};
	vec2 bounds = {static_cast<float>(ovi.base_width), static_cast<float>(ovi.base_height)};
	obs_sceneitem_set_pos(add->item, &pos);
	obs_sceneitem_set_alignment(add->item, OBS_ALIGN_LEFT | OBS_ALIGN_TOP);
	obs_sceneitem_set_bounds_type(add->item, OBS_BOUNDS_SCALE_INNER);
	obs_sceneitem_set_bounds_alignment(add->item, OBS_ALIGN_CENTER);
	obs_sceneitem_set_bounds(add->item, &bounds);
	obs_sceneitem_set_visible(add->item, true);
}

// Inserter worker: removes the finished clip's item (if the streamer has not already).
void removeFinished(const std::shared_ptr<ClipInserter::Shared> &shared, std::uint64_t id)
{
	Playback p;
	{
		std::lock_guard<std::mutex> lock(shared->mutex);
		if (shared->stopped)
			return;
		auto it = std::find_if(shared->playing.begin(), shared->playing.end(),
				       [id](const Playback &own) { return own.id == id; });
		if (it == shared->playing.end())
			return;
		p = *it;
	}
	// Disconnected before the item goes: removing it may destroy the source, and its signal handler with it.
	shared->forget(id);
	OBSSourceAutoRelease sceneSource = obs_weak_source_get_source(p.scene);
	if (obs_scene_t *scene = obs_scene_from_source(sceneSource)) {
		if (obs_sceneitem_t *item = obs_scene_find_sceneitem_by_id(scene, p.itemId)) {
			core::logInfo(std::string("clip finished: removed ") +
				      obs_source_get_name(obs_sceneitem_get_source(item)));
			obs_sceneitem_remove(item);
		}
	}
}

// Media thread: hand over to the inserter's worker, never act here.
void onMediaEnded(void *param, calldata_t *)
{
	auto id = static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(param));
	auto shared = PlaybackRegistry::get().owner(id);
	if (!shared)
		return;
	std::lock_guard<std::mutex> lock(shared->mutex);
	if (shared->stopped || !shared->worker)
		return;
	std::weak_ptr<ClipInserter::Shared> owner = shared;
	shared->worker->post([owner, id](const core::CancelToken &) {
		if (auto alive = owner.lock())
			removeFinished(alive, id);
	});
}

} // namespace

void ClipInserter::Shared::forget(std::uint64_t id)
{
	Playback gone;
	{
		std::lock_guard<std::mutex> lock(mutex);
		auto it = std::find_if(playing.begin(), playing.end(), [id](const Playback &p) { return p.id == id; });
		if (it == playing.end())
			return;
		gone = std::move(*it);
		playing.erase(it);
	}
	PlaybackRegistry::get().remove(id);
	disconnect(gone); // outside `mutex`: OBS holds its signal lock while it calls onMediaEnded, which takes `mutex`
}

ClipInserter::ClipInserter(std::function<OBSSource()> currentScene) : shared_(std::make_shared<Shared>())
{
	shared_->currentScene = std::move(currentScene);
	shared_->worker = &worker_;
}

ClipInserter::~ClipInserter()
{
	shutdown();
}

void ClipInserter::shutdown()
{
	std::vector<Playback> all;
	{
		std::lock_guard<std::mutex> lock(shared_->mutex);
		shared_->stopped = true;
		shared_->worker = nullptr;
		all.swap(shared_->playing);
	}
	for (const auto &p : all) {
		PlaybackRegistry::get().remove(p.id);
		disconnect(p);
	}
	worker_.stop();
}

std::string ClipInserter::sourceNameFor(const std::string &prompt)
{
	// The first five words, at most 30 characters.
	std::string words;
	int count = 0;
	size_t i = 0;
	while (i < prompt.size() && count < 5) {
		size_t start = prompt.find_first_not_of(" \t\r\n", i);
		if (start == std::string::npos)
			break;
		size_t stop = prompt.find_first_of(" \t\r\n", start);
		if (!words.empty())
			words += ' ';
		words += prompt.substr(start, stop == std::string::npos ? std::string::npos : stop - start);
		++count;
		i = stop == std::string::npos ? prompt.size() : stop;
	}
	words = core::truncateUtf8(words, 30);
	std::string base = "Seedance: " + (words.empty() ? std::string("clip") : words);
	std::string name = base;
	for (int n = 2;; ++n) {
		OBSSourceAutoRelease existing = obs_get_source_by_name(name.c_str());
		if (!existing)
			return name;
		name = base + " (" + std::to_string(n) + ")";
	}
}

namespace {

core::InsertResult stoppedResult()
{
	return {core::makeError(core::ErrorKind::Internal, "Error.Insert.Stopped", "plugin stopped"), {}, {}, {}};
}

// Calls `done` exactly once: with the insertion's result, or "stopped" when the worker drops the task at shutdown.
struct PendingInsert {
	std::function<void(core::InsertResult)> done;
	void finish(core::InsertResult result)
	{
		auto d = std::move(done);
		done = nullptr;
		d(std::move(result));
	}
	~PendingInsert()
	{
		if (done)
			done(stoppedResult());
	}
};

} // namespace

void ClipInserter::insert(const core::Job &job, std::function<void(core::InsertResult)> done)
{
	auto pending = std::make_shared<PendingInsert>();
	pending->done = std::move(done);
	std::lock_guard<std::mutex> lock(shared_->mutex);
	if (shared_->stopped)
		return; // `pending` answers "stopped"
	worker_.post([this, job, pending](const core::CancelToken &) {
		bool stopped;
		{
			std::lock_guard<std::mutex> l(shared_->mutex);
			stopped = shared_->stopped;
		}
		pending->finish(stopped ? stoppedResult() : insertNow(job));
	});
}

core::InsertResult ClipInserter::insertNow(const core::Job &job)
{
	core::InsertResult result;
	if (job.target.kind == core::JobTarget::Kind::Slot) {
		// A Seedance Clip the streamer placed: the clip plays inside it, with its transform and filters.
		OBSSourceAutoRelease slot = obs_get_source_by_name(job.target.name.c_str());
		if (!slot || !playInSlot(slot, job.clipPath, job.playback)) {
			result.error = core::makeError(core::ErrorKind::Internal, "Error.Insert.SlotGone",
						       "no Seedance Clip source named " + job.target.name,
						       {{"slot", job.target.name}});
			result.notice = {"Notice.SlotGone", {{"slot", job.target.name}}};
			return result;
		}
		result.sourceName = job.target.name;
		core::logInfo("clip playing in the Seedance Clip " + job.target.name);
		return result;
	}
	// The target scene, or the current one when it is gone (renamed, deleted, another scene collection).
	OBSSourceAutoRelease sceneSource;
	if (!job.target.name.empty()) {
		sceneSource = obs_get_source_by_name(job.target.name.c_str());
		if (sceneSource && !obs_scene_from_source(sceneSource))
			sceneSource = nullptr; // a source of that name, but not a scene
	}
	if (!sceneSource) {
		OBSSource current = shared_->currentScene ? shared_->currentScene() : OBSSource();
		if (!current) {
			result.error = core::makeError(core::ErrorKind::Internal, "Error.Insert.NoScene",
						       "no scene to insert into");
			return result;
		}
		if (!job.target.name.empty())
			result.notice = {"Notice.FellBack",
					 {{"scene", job.target.name}, {"current", obs_source_get_name(current)}}};
		sceneSource = obs_source_get_ref(current);
	}
	obs_scene_t *scene = obs_scene_from_source(sceneSource);

	OBSDataAutoRelease settings = obs_data_create();
	obs_data_set_bool(settings, "is_local_file", true);
	obs_data_set_string(settings, "local_file", job.clipPath.c_str());
	obs_data_set_bool(settings, "looping", job.playback == core::Playback::Loop);
	obs_data_set_bool(settings, "restart_on_activate", true);
	obs_data_set_bool(settings, "close_when_inactive", true);
	// "Hold" keeps the last frame on screen when the clip ends.
	obs_data_set_bool(settings, "clear_on_media_end", job.playback != core::Playback::Hold);
	std::string name = sourceNameFor(job.request.prompt);
	OBSSourceAutoRelease source = obs_source_create("ffmpeg_source", name.c_str(), settings, nullptr);
	if (!source) {
		result.error = core::makeError(core::ErrorKind::Internal, "Error.Insert.NoMediaSource",
					       "ffmpeg_source unavailable");
		return result;
	}
	if (obs_source_get_output_flags(source) & OBS_SOURCE_MONITOR_BY_DEFAULT)
		obs_source_set_monitoring_type(source, OBS_MONITORING_TYPE_MONITOR_ONLY);

	AtomicAdd add{source};
	// Added, positioned and fitted as one update: the item never shows a frame at the wrong size.
	obs_enter_graphics();
	obs_scene_atomic_update(scene, addFitted, &add);
	obs_leave_graphics();
	if (!add.item) {
		obs_source_remove(source);
		result.error =
			core::makeError(core::ErrorKind::Internal, "Error.Insert.Failed", "obs_scene_add failed");
		return result;
	}

	if (job.playback == core::Playback::Once) {
		Playback p;
		p.id = PlaybackRegistry::get().add(shared_);
		p.scene = OBSGetWeakRef(sceneSource);
		p.itemId = obs_sceneitem_get_id(add.item);
		p.source = OBSGetWeakRef(source);
		{
			// Clips the streamer removed by hand before they ended: their sources are gone, forget them.
			std::lock_guard<std::mutex> lock(shared_->mutex);
			for (auto it = shared_->playing.begin(); it != shared_->playing.end();) {
				if (obs_weak_source_expired(it->source)) {
					PlaybackRegistry::get().remove(it->id);
					it = shared_->playing.erase(it);
				} else {
					++it;
				}
			}
			shared_->playing.push_back(p);
		}
		signal_handler_connect(obs_source_get_signal_handler(source), "media_ended", onMediaEnded,
				       callbackParam(p.id));
	}
	result.sceneName = obs_source_get_name(sceneSource);
	result.sourceName = name;
	core::logInfo("clip added to scene " + result.sceneName + " as " + name);
	return result;
}

} // namespace seedance::obs
