// The one spec builder of every front door, and the websocket Generate request's fields as choices.
#include "job-spec.hpp"

#include "core/frame-plan.hpp"

#include <nlohmann/json.hpp>

#include <cmath>
#include <set>

namespace seedance::core {

using nlohmann::json;

SpecDefaults specDefaults(const Settings &settings)
{
	SpecDefaults d;
	d.model = settings.model;
	d.duration = settings.duration;
	d.aspectRatio = settings.aspectRatio;
	d.resolution = settings.resolution;
	d.audio = settings.audio;
	d.playback = settings.playback;
	return d;
}

Result<JobSpec> buildJobSpec(const SpecDefaults &defaults, const SpecChoices &choices)
{
	JobSpec spec;
	GenerationRequest &r = spec.request;
	r.prompt = choices.prompt;
	r.model = choices.model.value_or(defaults.model);
	const ModelSpec *model = ModelCatalog::builtin().find(r.model);
	r.duration = choices.duration.value_or(defaults.duration);
	if (model && !choices.duration && !model->allowsDuration(*r.duration))
		r.duration = model->duration.defaultValue; // the default belongs to another model
	r.aspectRatio = choices.aspectRatio.value_or(defaults.aspectRatio);
	r.resolution = choices.resolution.value_or(defaults.resolution);
	if (model && !choices.resolution && !model->allowsResolution(*r.resolution))
		r.resolution = model->defaultResolution;
	if (choices.audio)
		r.audio = choices.audio;
	else if (model && model->supports("audio"))
		r.audio = defaults.audio;
	r.seed = choices.seed;
	r.cameraFixed = choices.cameraFixed;

	std::string playback = choices.playback.value_or(defaults.playback);
	auto parsed = playbackFromName(playback);
	if (!parsed)
		return makeError(ErrorKind::InvalidInput, "Error.Ws.Playback", "bad playback " + playback,
				 {{"value", playback}});
	spec.playback = *parsed;
	spec.firstFrame = choices.firstFrame;
	spec.lastFrame = choices.lastFrame;
	spec.target = choices.target;
	if (spec.target.kind == JobTarget::Kind::Slot && spec.target.name.empty())
		return makeError(ErrorKind::InvalidInput, "Error.Invalid.Slot", "no slot name", {{"value", ""}});

	// As the runner will: "canvas" is resolved against the model's ratios once the frame is known.
	GenerationRequest check = r;
	if (check.aspectRatio && *check.aspectRatio == kCanvasRatio)
		check.aspectRatio.reset();
	if (Error e = validateRequest(check, ModelCatalog::builtin(), FramePlan{true, spec.lastFrame.has_value()}))
		return e;
	return spec;
}

Result<SpecChoices> choicesFromGenerateRequest(const json &req)
{
	auto invalid = [](const char *key, std::map<std::string, std::string> args, const std::string &detail) {
		return makeError(ErrorKind::InvalidInput, key, detail, std::move(args));
	};
	if (!req.is_object())
		return invalid("Error.Ws.NotObject", {}, "request data is not an object");
	static const std::set<std::string> strings = {"prompt", "frame_source", "last_frame_source", "last_frame_file",
						      "model",  "aspect_ratio", "resolution",        "scene",
						      "slot",   "playback"};
	static const std::set<std::string> integers = {"duration", "seed"};
	static const std::set<std::string> booleans = {"audio", "camera_fixed"};
	for (auto it = req.begin(); it != req.end(); ++it) {
		const std::string &key = it.key();
		const json &v = it.value();
		if (!strings.count(key) && !integers.count(key) && !booleans.count(key))
			return invalid("Error.Ws.UnknownField", {{"field", key}}, "unknown field " + key);
		bool ok = strings.count(key) ? v.is_string()
			  : integers.count(key)
				  ? v.is_number_integer() ||
					    (v.is_number_float() && v.get<double>() == std::floor(v.get<double>()))
				  : v.is_boolean();
		if (!ok) {
			const char *type = strings.count(key) ? "string" : integers.count(key) ? "integer" : "boolean";
			return invalid("Error.Ws.FieldType", {{"field", key}, {"type", type}},
				       key + " is not a " + type);
		}
	}
	auto str = [&](const char *key) {
		return req[key].get<std::string>();
	};
	if (!req.contains("prompt"))
		return invalid("Error.Ws.Missing", {{"field", "prompt"}}, "no prompt");
	if (req.contains("last_frame_source") && req.contains("last_frame_file"))
		return invalid("Error.Ws.OneLastFrame", {}, "two last frames");

	SpecChoices c;
	c.prompt = str("prompt");
	if (req.contains("model"))
		c.model = str("model");
	if (req.contains("duration"))
		c.duration = static_cast<int>(req["duration"].get<double>());
	if (req.contains("aspect_ratio"))
		c.aspectRatio = str("aspect_ratio");
	if (req.contains("resolution"))
		c.resolution = str("resolution");
	if (req.contains("audio"))
		c.audio = req["audio"].get<bool>();
	if (req.contains("seed"))
		c.seed = static_cast<std::int64_t>(req["seed"].get<double>());
	if (req.contains("camera_fixed"))
		c.cameraFixed = req["camera_fixed"].get<bool>();
	if (req.contains("playback"))
		c.playback = str("playback");
	if (req.contains("frame_source"))
		c.firstFrame.source = str("frame_source");
	if (req.contains("last_frame_source"))
		c.lastFrame = FrameChoice{str("last_frame_source"), {}};
	else if (req.contains("last_frame_file"))
		c.lastFrame = FrameChoice{{}, str("last_frame_file")};
	// The clip goes to a slot, a named scene, the library alone (scene ""), or, when none is named, the scene on
	// air at the moment of the request (filled in by the vendor, which knows it).
	if (req.contains("slot")) {
		c.target.kind = JobTarget::Kind::Slot;
		c.target.name = str("slot");
	} else if (req.contains("scene") && str("scene").empty()) {
		c.target.kind = JobTarget::Kind::Library;
	} else if (req.contains("scene")) {
		c.target.name = str("scene");
	}
	return c;
}

} // namespace seedance::core
