// LiveObsContext: source lists from libobs, scene state from the frontend API.
#include "obs-context.hpp"

#include <obs-frontend-api.h>
#include <obs.hpp>

#include <QMetaObject>

#include <algorithm>

namespace seedance::ui {

namespace {

void onSourceSignal(void *data, calldata_t *)
{
	static_cast<LiveObsContext *>(data)->changed();
}

const char *kSignals[] = {"source_create", "source_destroy", "source_rename", "source_show", "source_hide"};

} // namespace

LiveObsContext::LiveObsContext()
{
	signal_handler_t *handler = obs_get_signal_handler();
	for (const char *signal : kSignals)
		signal_handler_connect(handler, signal, onSourceSignal, this);
}

LiveObsContext::~LiveObsContext()
{
	signal_handler_t *handler = obs_get_signal_handler();
	for (const char *signal : kSignals)
		signal_handler_disconnect(handler, signal, onSourceSignal, this);
}

void LiveObsContext::changed()
{
	// Coalesced: a scene collection load fires hundreds of signals; the dock refreshes once.
	if (notifyQueued_.exchange(true))
		return;
	QMetaObject::invokeMethod(
		&receiver_,
		[this] {
			notifyQueued_ = false;
			if (onChanged)
				onChanged();
		},
		Qt::QueuedConnection);
}

std::vector<std::string> LiveObsContext::sceneNames()
{
	std::vector<std::string> names;
	obs_enum_scenes(
		[](void *data, obs_source_t *source) {
			static_cast<std::vector<std::string> *>(data)->push_back(obs_source_get_name(source));
			return true;
		},
		&names);
	std::sort(names.begin(), names.end());
	return names;
}

std::vector<std::string> LiveObsContext::videoSourceNames()
{
	std::vector<std::string> names;
	obs_enum_sources(
		[](void *data, obs_source_t *source) {
			uint32_t flags = obs_source_get_output_flags(source);
			const char *id = obs_source_get_id(source);
			if ((flags & OBS_SOURCE_VIDEO) && std::string(id) != "seedance_clip")
				static_cast<std::vector<std::string> *>(data)->push_back(obs_source_get_name(source));
			return true;
		},
		&names);
	std::sort(names.begin(), names.end());
	return names;
}

std::vector<std::string> LiveObsContext::slotNames()
{
	std::vector<std::string> names;
	obs_enum_sources(
		[](void *data, obs_source_t *source) {
			if (std::string(obs_source_get_id(source)) == "seedance_clip")
				static_cast<std::vector<std::string> *>(data)->push_back(obs_source_get_name(source));
			return true;
		},
		&names);
	std::sort(names.begin(), names.end());
	return names;
}

std::string LiveObsContext::currentSceneName()
{
	OBSSourceAutoRelease scene = obs_frontend_get_current_scene();
	return scene ? obs_source_get_name(scene) : std::string();
}

bool LiveObsContext::studioMode()
{
	return obs_frontend_preview_program_mode_active();
}

std::string LiveObsContext::previewSceneName()
{
	OBSSourceAutoRelease scene = obs_frontend_get_current_preview_scene();
	return scene ? obs_source_get_name(scene) : std::string();
}

std::pair<int, int> LiveObsContext::canvasSize()
{
	obs_video_info ovi;
	if (!obs_get_video_info(&ovi))
		return {1920, 1080};
	return {static_cast<int>(ovi.base_width), static_cast<int>(ovi.base_height)};
}

} // namespace seedance::ui
