// One way from "the streamer's defaults + what this front door chose" to a validated JobSpec, for the dock, the
// obs-websocket vendor, the Seedance Clip source and seedance-cli alike: the same choices give the same job
// whichever door they came through.
#pragma once

#include "core/expected.hpp"
#include "core/job.hpp"
#include "core/model-catalog.hpp"
#include "core/settings.hpp"

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace seedance::core {

// What a caller asks the job runner for (JobRunner::submit).
struct JobSpec {
	GenerationRequest request; // aspectRatio may be "canvas"
	FrameChoice firstFrame;    // default: program output
	std::optional<FrameChoice> lastFrame;
	JobTarget target;
	Playback playback = Playback::Once;
};

// The defaults of the compose controls: what a request that leaves an option out gets. No secret in here: the
// Clip source and the vendor get this, never the whole Settings.
struct SpecDefaults {
	std::string model = ModelCatalog::kDefaultModel;
	int duration = 5;
	std::string aspectRatio = "canvas";
	std::string resolution = "720p";
	bool audio = false;
	std::string playback = "once";
};
SpecDefaults specDefaults(const Settings &settings);

// What a front door chose. Anything left unset takes the default.
struct SpecChoices {
	std::string prompt;
	std::optional<std::string> model;
	std::optional<int> duration;
	std::optional<std::string> aspectRatio; // a ratio, "canvas" or "adaptive"
	std::optional<std::string> resolution;
	std::optional<bool> audio;
	std::optional<std::int64_t> seed;
	std::optional<bool> cameraFixed;
	std::optional<std::string> playback; // once, hold, loop
	FrameChoice firstFrame;              // default: program output
	std::optional<FrameChoice> lastFrame;
	JobTarget target;
};

// Fills the gaps from the defaults, then validates (nothing is captured or sent for an invalid request). A default
// that the chosen model does not offer (the dock's 720p for a model without it) gives way to the model's own
// default; a choice never does: it is refused with a message naming what the model allows.
Result<JobSpec> buildJobSpec(const SpecDefaults &defaults, const SpecChoices &choices);

// The obs-websocket Generate request's fields (README "obs-websocket API") as choices: unknown fields and wrong
// types are refused, naming the field. Sources and scenes are checked by the vendor, which knows OBS.
Result<SpecChoices> choicesFromGenerateRequest(const nlohmann::json &request);

} // namespace seedance::core
