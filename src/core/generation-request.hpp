// What the streamer asked for, validated against the model catalog before anything is sent, and turned into the
// provider's create body.
#pragma once

#include "error.hpp"
#include "model-catalog.hpp"

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace seedance::core {

struct GenerationRequest {
	std::string model = ModelCatalog::kDefaultModel;
	std::string prompt;
	std::optional<int> duration; // unset = the model's default
	std::optional<std::string> aspectRatio;
	std::optional<std::string> resolution;
	std::optional<bool> audio;
	std::optional<std::int64_t> seed;
	std::optional<bool> cameraFixed;
	// Filled after the frames are uploaded (plain public URLs).
	std::string firstFrameUrl;
	std::string lastFrameUrl;

	// Values with the model's defaults filled in (the model must exist).
	int effectiveDuration(const ModelSpec &spec) const { return duration.value_or(spec.duration.defaultValue); }
	std::string effectiveAspectRatio(const ModelSpec &spec) const
	{
		return aspectRatio.value_or(spec.defaultAspectRatio);
	}
	std::string effectiveResolution(const ModelSpec &spec) const
	{
		return resolution.value_or(spec.defaultResolution);
	}
};

constexpr size_t kMaxPromptChars = 5000;
constexpr std::int64_t kMaxSeed = 4294967295LL; // 2^32 - 1

// Which frames will be uploaded with the request.
struct FramePlan {
	bool first = false;
	bool last = false;
};

// Checks every field against the model before any request; the error names the field, the value and what is
// allowed.
Error validateRequest(const GenerationRequest &request, const ModelCatalog &catalog, FramePlan frames);
Error validateRequest(const GenerationRequest &request, const ModelSpec &spec, FramePlan frames);

// The create body for POST /v1/videos/generations, field placement from the catalog. The request must have
// passed validateRequest. Options left unset are omitted so the provider applies its own defaults, except the
// ones the plugin always states (duration, aspect ratio, resolution) so the clip matches what the UI showed.
nlohmann::json buildCreateBody(const GenerationRequest &request, const ModelSpec &spec);

// Number of Unicode code points in UTF-8 text (the prompt limit counts characters, not bytes).
size_t utf8Length(const std::string &text);

} // namespace seedance::core
