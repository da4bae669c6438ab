// The "Seedance Clip" source (seedance_clip): a slot the streamer places in a layout once, with its own position,
// size, crop and filters, where generated clips play. It owns a private ffmpeg_source, draws it letterboxed (or
// filling) into its own size, passes its audio through (volume, mute and monitoring of the slot apply), forwards
// OBS's media controls, and applies the playback policy when a clip ends. Its properties hold no secret.
#pragma once

#include "core/expected.hpp"
#include "core/job-runner.hpp"
#include "core/job/job-spec.hpp"

#include <obs.h>

#include <functional>
#include <memory>
#include <string>

namespace seedance::obs {

constexpr const char *kSlotSourceId = "seedance_clip";

// What the slot needs from the running plugin; set on FINISHED_LOADING, cleared at EXIT. Without a host (a
// headless process, or OBS shutting down) the Generate button and the hotkey explain that Seedance is not ready.
struct SlotHost {
	std::function<core::Result<std::string>(core::JobSpec)> submit;
	std::function<core::SpecDefaults()> defaults; // the compose defaults (no secret in here)
};

// Registers the source type (obs_module_load).
void registerClipSlotSource();
void setSlotHost(std::shared_ptr<SlotHost> host);

// Plays `path` in a slot source with the given policy. False when `slot` is not a Seedance Clip source.
bool playInSlot(obs_source_t *slot, const std::string &path, core::Playback playback);

} // namespace seedance::obs
