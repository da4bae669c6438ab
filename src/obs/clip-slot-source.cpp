// Seedance Clip: the slot source.
#include "clip-slot-source.hpp"

#include "core/frame-plan.hpp"
#include "core/log.hpp"
#include "core/text.hpp"

#include <obs.hpp>
#include <util/platform.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <mutex>

namespace seedance::obs {

namespace {

std::mutex g_hostMutex;
std::shared_ptr<SlotHost> g_host;

std::shared_ptr<SlotHost> host()
{
	std::lock_guard<std::mutex> lock(g_hostMutex);
	return g_host;
}

std::string text(const char *key)
{
	return core::text(key);
}

struct ClipSlot {
	obs_source_t *self = nullptr;
	obs_source_t *child = nullptr; // private ffmpeg_source, owned
	gs_texrender_t *texrender = nullptr;
	std::atomic<int> width{1920};
	std::atomic<int> height{1080};
	std::atomic<bool> fill{false};
	std::atomic<bool> holdWhenIdle{false};
	std::atomic<int> playback{static_cast<int>(core::Playback::Once)};
	obs_hotkey_id hotkey = OBS_INVALID_HOTKEY_ID;

	void play(const std::string &path, core::Playback policy);
	void applyChildPolicy(const std::string &path);
};

void onChildMediaEnded(void *data, calldata_t *)
{
	// The slot's own media_ended, so OBS's media controls and scripts see the slot end. With "once" the child
	// clears itself (or holds its last frame when the slot's idle appearance says so); "hold" keeps the last
	// frame; "loop" never ends.
	auto *slot = static_cast<ClipSlot *>(data);
	obs_source_media_ended(slot->self);
}

void ClipSlot::applyChildPolicy(const std::string &path)
{
	auto policy = static_cast<core::Playback>(playback.load());
	OBSDataAutoRelease settings = obs_data_create();
	obs_data_set_bool(settings, "is_local_file", true);
	obs_data_set_string(settings, "local_file", path.c_str());
	obs_data_set_bool(settings, "looping", policy == core::Playback::Loop);
	obs_data_set_bool(settings, "restart_on_activate", true);
	obs_data_set_bool(settings, "close_when_inactive", false);
	obs_data_set_bool(settings, "clear_on_media_end", policy == core::Playback::Once && !holdWhenIdle);
	obs_source_update(child, settings);
}

void ClipSlot::play(const std::string &path, core::Playback policy)
{
	playback = static_cast<int>(policy);
	applyChildPolicy(path);
	obs_source_media_restart(child);
}

// --- obs_source_info callbacks -------------------------------------------------------------------------------

const char *slotName(void *)
{
	static std::string name;
	name = text("Source.Name");
	return name.c_str();
}

void slotUpdate(void *data, obs_data_t *settings)
{
	auto *s = static_cast<ClipSlot *>(data);
	s->width = std::max<int>(2, static_cast<int>(obs_data_get_int(settings, "width")));
	s->height = std::max<int>(2, static_cast<int>(obs_data_get_int(settings, "height")));
	s->fill = std::strcmp(obs_data_get_string(settings, "fit"), "fill") == 0;
	s->holdWhenIdle = std::strcmp(obs_data_get_string(settings, "idle"), "hold") == 0;
}

void onHotkey(void *data, obs_hotkey_id, obs_hotkey_t *, bool pressed);
void forwardAudio(void *data, obs_source_t *, const audio_data *audio, bool muted);
void playProc(void *data, calldata_t *cd);

void *slotCreate(obs_data_t *settings, obs_source_t *source)
{
	auto *s = new ClipSlot();
	s->self = source;
	std::string childName = std::string(obs_source_get_name(source)) + " (player)";
	OBSDataAutoRelease childSettings = obs_data_create();
	obs_data_set_bool(childSettings, "is_local_file", true);
	obs_data_set_string(childSettings, "local_file", "");
	s->child = obs_source_create_private("ffmpeg_source", childName.c_str(), childSettings);
	if (s->child) {
		signal_handler_connect(obs_source_get_signal_handler(s->child), "media_ended", onChildMediaEnded, s);
		obs_source_add_audio_capture_callback(s->child, forwardAudio, s);
	}
	slotUpdate(s, settings);
	std::string hotkeyText = core::fillPlaceholders(text("Slot.Hotkey"), {{"slot", obs_source_get_name(source)}});
	s->hotkey = obs_hotkey_register_source(source, "seedance_clip.generate", hotkeyText.c_str(), onHotkey, s);
	proc_handler_add(obs_source_get_proc_handler(source), "void seedance_play(in string path, in string playback)",
			 playProc, s);
	return s;
}

void slotDestroy(void *data)
{
	auto *s = static_cast<ClipSlot *>(data);
	if (s->hotkey != OBS_INVALID_HOTKEY_ID)
		obs_hotkey_unregister(s->hotkey);
	if (s->child) {
		signal_handler_disconnect(obs_source_get_signal_handler(s->child), "media_ended", onChildMediaEnded, s);
		obs_source_remove_audio_capture_callback(s->child, forwardAudio, s);
		obs_source_release(s->child);
	}
	if (s->texrender) {
		obs_enter_graphics();
		gs_texrender_destroy(s->texrender);
		obs_leave_graphics();
	}
	delete s;
}

void slotDefaults(obs_data_t *settings)
{
	obs_video_info ovi;
	bool video = obs_get_video_info(&ovi);
	obs_data_set_default_int(settings, "width", video ? ovi.base_width : 1920);
	obs_data_set_default_int(settings, "height", video ? ovi.base_height : 1080);
	obs_data_set_default_string(settings, "fit", "letterbox");
	obs_data_set_default_string(settings, "idle", "transparent");
	obs_data_set_default_string(settings, "prompt", "");
	obs_data_set_default_string(settings, "frame_source", "");
	obs_data_set_default_int(settings, "duration", 5);
	obs_data_set_default_string(settings, "aspect_ratio", core::kCanvasRatio);
	obs_data_set_default_string(settings, "resolution", "720p");
	obs_data_set_default_bool(settings, "audio", false);
	obs_data_set_default_string(settings, "playback", "once");
}

uint32_t slotWidth(void *data)
{
	return static_cast<uint32_t>(static_cast<ClipSlot *>(data)->width.load());
}

uint32_t slotHeight(void *data)
{
	return static_cast<uint32_t>(static_cast<ClipSlot *>(data)->height.load());
}

// Draws the child into the slot's rectangle: letterboxed (whole clip visible) or filling (cropped), always
// centred. The child is rendered through a texrender so "fill" crops cleanly at the slot's edges.
void slotRender(void *data, gs_effect_t *)
{
	auto *s = static_cast<ClipSlot *>(data);
	if (!s->child)
		return;
	uint32_t cw = obs_source_get_width(s->child), ch = obs_source_get_height(s->child);
	if (!cw || !ch)
		return; // idle: transparent
	const float w = static_cast<float>(s->width.load()), h = static_cast<float>(s->height.load());
	const float sx = w / cw, sy = h / ch;
	const float scale = s->fill ? std::max(sx, sy) : std::min(sx, sy);
	// The part of the child (in its own pixels) that maps onto the slot.
	const float viewW = w / scale, viewH = h / scale;
	const float left = (static_cast<float>(cw) - viewW) / 2.0f, top = (static_cast<float>(ch) - viewH) / 2.0f;

	if (!s->texrender)
		s->texrender = gs_texrender_create(GS_RGBA, GS_ZS_NONE);
	gs_texrender_reset(s->texrender);
	if (!gs_texrender_begin_with_color_space(s->texrender, s->width, s->height, GS_CS_SRGB))
		return;
	vec4 clear;
	vec4_zero(&clear);
	gs_clear(GS_CLEAR_COLOR, &clear, 0.0f, 0);
	gs_ortho(left, left + viewW, top, top + viewH, -100.0f, 100.0f);
	gs_blend_state_push();
	gs_blend_function(GS_BLEND_ONE, GS_BLEND_ZERO);
	obs_source_video_render(s->child);
	gs_blend_state_pop();
	gs_texrender_end(s->texrender);

	gs_texture_t *tex = gs_texrender_get_texture(s->texrender);
	if (!tex)
		return;
	gs_effect_t *effect = obs_get_base_effect(OBS_EFFECT_DEFAULT);
	const bool previous = gs_framebuffer_srgb_enabled();
	gs_enable_framebuffer_srgb(true);
	gs_effect_set_texture_srgb(gs_effect_get_param_by_name(effect, "image"), tex);
	while (gs_effect_loop(effect, "Draw"))
		gs_draw_sprite(tex, 0, s->width, s->height);
	gs_enable_framebuffer_srgb(previous);
}

void slotEnumSources(void *data, obs_source_enum_proc_t enumCallback, void *param)
{
	auto *s = static_cast<ClipSlot *>(data);
	if (s->child)
		enumCallback(s->self, s->child, param);
}

// Audio pass-through: every packet the player mixes is re-emitted as the slot's own audio. The slot is then an
// ordinary audio source to OBS: it has its own mixer strip with meter, volume, mute, monitoring and audio filters,
// and the streamer controls the clip's sound there. (A custom audio_render, as scenes use, would bypass the mixer
// meter and filters.) Runs on the audio thread.
void forwardAudio(void *data, obs_source_t *, const audio_data *audio, bool muted)
{
	auto *s = static_cast<ClipSlot *>(data);
	if (muted || !audio->frames)
		return;
	obs_audio_info info;
	if (!obs_get_audio_info(&info))
		return;
	obs_source_audio out = {};
	for (size_t ch = 0; ch < MAX_AV_PLANES; ++ch)
		out.data[ch] = audio->data[ch];
	out.frames = audio->frames;
	out.speakers = info.speakers;
	out.format = AUDIO_FORMAT_FLOAT_PLANAR;
	out.samples_per_sec = info.samples_per_sec;
	out.timestamp = audio->timestamp;
	obs_source_output_audio(s->self, &out);
}

// Media controls forward to the player.
void mediaPlayPause(void *data, bool pause)
{
	obs_source_media_play_pause(static_cast<ClipSlot *>(data)->child, pause);
}
void mediaRestart(void *data)
{
	obs_source_media_restart(static_cast<ClipSlot *>(data)->child);
}
void mediaStop(void *data)
{
	obs_source_media_stop(static_cast<ClipSlot *>(data)->child);
}
int64_t mediaDuration(void *data)
{
	return obs_source_media_get_duration(static_cast<ClipSlot *>(data)->child);
}
int64_t mediaTime(void *data)
{
	return obs_source_media_get_time(static_cast<ClipSlot *>(data)->child);
}
void mediaSetTime(void *data, int64_t ms)
{
	obs_source_media_set_time(static_cast<ClipSlot *>(data)->child, ms);
}
enum obs_media_state mediaState(void *data)
{
	return obs_source_media_get_state(static_cast<ClipSlot *>(data)->child);
}

// --- Generating from the slot ---------------------------------------------------------------------------------

core::Result<std::string> generateFromSlot(ClipSlot *s)
{
	auto h = host();
	if (!h || !h->submit)
		return core::makeError(core::ErrorKind::Internal, "Error.NotRunning", "no host");
	OBSDataAutoRelease settings = obs_source_get_settings(s->self);
	core::SpecDefaults defaults = h->defaults ? h->defaults() : core::SpecDefaults{};
	// The slot's own properties are its choices; the model is the dock's.
	core::SpecChoices c;
	c.prompt = obs_data_get_string(settings, "prompt");
	c.duration = static_cast<int>(obs_data_get_int(settings, "duration"));
	c.aspectRatio = obs_data_get_string(settings, "aspect_ratio");
	c.resolution = obs_data_get_string(settings, "resolution");
	const core::ModelSpec *model = core::ModelCatalog::builtin().find(defaults.model);
	if (model && model->supports("audio"))
		c.audio = obs_data_get_bool(settings, "audio");
	c.firstFrame.source = obs_data_get_string(settings, "frame_source");
	c.target.kind = core::JobTarget::Kind::Slot;
	c.target.name = obs_source_get_name(s->self);
	c.playback = obs_data_get_string(settings, "playback");
	auto spec = core::buildJobSpec(defaults, c);
	if (!spec)
		return spec.error();
	return h->submit(*spec);
}

void onHotkey(void *data, obs_hotkey_id, obs_hotkey_t *, bool pressed)
{
	if (!pressed)
		return;
	auto *s = static_cast<ClipSlot *>(data);
	auto id = generateFromSlot(s);
	if (!id)
		core::logWarning(std::string("slot ") + obs_source_get_name(s->self) + ": " +
				 core::describe(id.error()));
}

bool onGenerateButton(obs_properties_t *props, obs_property_t *, void *data)
{
	auto *s = static_cast<ClipSlot *>(data);
	auto id = generateFromSlot(s);
	// The answer goes into the properties dialog itself: a line under the button.
	obs_property_t *status = obs_properties_get(props, "status");
	std::string message = id ? core::fillPlaceholders(text("Slot.Started"), {{"job", *id}})
				 : core::userMessage(id.error());
	obs_property_set_description(status, message.c_str());
	obs_property_set_visible(status, true);
	return true;
}

void playProc(void *data, calldata_t *cd)
{
	auto *s = static_cast<ClipSlot *>(data);
	const char *path = calldata_string(cd, "path");
	const char *playback = calldata_string(cd, "playback");
	if (!path || !s->child)
		return;
	s->play(path, core::playbackFromName(playback ? playback : "once").value_or(core::Playback::Once));
}

obs_properties_t *slotProperties(void *)
{
	obs_properties_t *props = obs_properties_create();
	auto model = core::ModelCatalog::builtin().find(host() && host()->defaults ? host()->defaults().model
										   : core::ModelCatalog::kDefaultModel);
	if (!model)
		model = core::ModelCatalog::builtin().find(core::ModelCatalog::kDefaultModel);

	obs_properties_add_text(props, "prompt", text("Slot.Prompt").c_str(), OBS_TEXT_MULTILINE);
	obs_property_t *frame = obs_properties_add_list(props, "frame_source", text("Dock.FirstFrame").c_str(),
							OBS_COMBO_TYPE_LIST, OBS_COMBO_FORMAT_STRING);
	obs_property_list_add_string(frame, text("Dock.ProgramOutput").c_str(), "");
	obs_enum_scenes(
		[](void *p, obs_source_t *src) {
			obs_property_list_add_string(static_cast<obs_property_t *>(p), obs_source_get_name(src),
						     obs_source_get_name(src));
			return true;
		},
		frame);
	obs_enum_sources(
		[](void *p, obs_source_t *src) {
			if ((obs_source_get_output_flags(src) & OBS_SOURCE_VIDEO) &&
			    std::strcmp(obs_source_get_id(src), kSlotSourceId) != 0)
				obs_property_list_add_string(static_cast<obs_property_t *>(p), obs_source_get_name(src),
							     obs_source_get_name(src));
			return true;
		},
		frame);
	obs_properties_add_int_slider(props, "duration", text("Dock.Duration").c_str(), model->duration.min,
				      model->duration.max, 1);
	obs_property_t *ratio = obs_properties_add_list(props, "aspect_ratio", text("Dock.AspectRatio").c_str(),
							OBS_COMBO_TYPE_LIST, OBS_COMBO_FORMAT_STRING);
	obs_property_list_add_string(ratio, text("Slot.Canvas").c_str(), core::kCanvasRatio);
	for (const auto &r : model->aspectRatios)
		obs_property_list_add_string(ratio, r.c_str(), r.c_str());
	obs_property_t *resolution = obs_properties_add_list(props, "resolution", text("Dock.Resolution").c_str(),
							     OBS_COMBO_TYPE_LIST, OBS_COMBO_FORMAT_STRING);
	for (const auto &r : model->resolutions)
		obs_property_list_add_string(resolution, r.c_str(), r.c_str());
	if (model->supports("audio"))
		obs_properties_add_bool(props, "audio", text("Dock.Audio").c_str());
	obs_property_t *playback = obs_properties_add_list(props, "playback", text("Dock.Playback").c_str(),
							   OBS_COMBO_TYPE_LIST, OBS_COMBO_FORMAT_STRING);
	obs_property_list_add_string(playback, text("Playback.Once").c_str(), "once");
	obs_property_list_add_string(playback, text("Playback.Hold").c_str(), "hold");
	obs_property_list_add_string(playback, text("Playback.Loop").c_str(), "loop");
	obs_properties_add_button2(props, "generate", text("Dock.Generate").c_str(), onGenerateButton, nullptr);
	obs_property_t *status = obs_properties_add_text(props, "status", "", OBS_TEXT_INFO);
	obs_property_set_visible(status, false);

	obs_property_t *idle = obs_properties_add_list(props, "idle", text("Slot.Idle").c_str(), OBS_COMBO_TYPE_LIST,
						       OBS_COMBO_FORMAT_STRING);
	obs_property_list_add_string(idle, text("Slot.IdleTransparent").c_str(), "transparent");
	obs_property_list_add_string(idle, text("Slot.IdleHold").c_str(), "hold");
	obs_property_t *fit = obs_properties_add_list(props, "fit", text("Slot.Fit").c_str(), OBS_COMBO_TYPE_LIST,
						      OBS_COMBO_FORMAT_STRING);
	obs_property_list_add_string(fit, text("Slot.FitLetterbox").c_str(), "letterbox");
	obs_property_list_add_string(fit, text("Slot.FitFill").c_str(), "fill");
	obs_properties_add_int(props, "width", text("Slot.Width").c_str(), 16, 8192, 1);
	obs_properties_add_int(props, "height", text("Slot.Height").c_str(), 16, 8192, 1);
	return props;
}

} // namespace

void registerClipSlotSource()
{
	obs_source_info info = {};
	info.id = kSlotSourceId;
	info.type = OBS_SOURCE_TYPE_INPUT;
	info.output_flags = OBS_SOURCE_VIDEO | OBS_SOURCE_CUSTOM_DRAW | OBS_SOURCE_AUDIO |
			    OBS_SOURCE_CONTROLLABLE_MEDIA;
	info.icon_type = OBS_ICON_TYPE_MEDIA;
	info.get_name = slotName;
	info.create = slotCreate;
	info.destroy = slotDestroy;
	info.update = slotUpdate;
	info.get_defaults = slotDefaults;
	info.get_properties = slotProperties;
	info.get_width = slotWidth;
	info.get_height = slotHeight;
	info.video_render = slotRender;
	info.enum_active_sources = slotEnumSources;
	info.enum_all_sources = slotEnumSources;
	info.media_play_pause = mediaPlayPause;
	info.media_restart = mediaRestart;
	info.media_stop = mediaStop;
	info.media_get_duration = mediaDuration;
	info.media_get_time = mediaTime;
	info.media_set_time = mediaSetTime;
	info.media_get_state = mediaState;
	obs_register_source(&info);
}

void setSlotHost(std::shared_ptr<SlotHost> h)
{
	std::lock_guard<std::mutex> lock(g_hostMutex);
	g_host = std::move(h);
}

bool playInSlot(obs_source_t *slot, const std::string &path, core::Playback playback)
{
	if (!slot || obs_source_removed(slot) || std::strcmp(obs_source_get_id(slot), kSlotSourceId) != 0)
		return false;
	calldata_t cd = {};
	calldata_set_string(&cd, "path", path.c_str());
	calldata_set_string(&cd, "playback", core::playbackName(playback));
	bool ok = proc_handler_call(obs_source_get_proc_handler(slot), "seedance_play", &cd);
	calldata_free(&cd);
	return ok;
}

} // namespace seedance::obs
