// The models the plugin can drive, as data (src/core/model-catalog.json compiled in): limits, defaults and where
// each option goes in the provider's JSON, so a provider change is a data change.
#pragma once

#include "expected.hpp"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace seedance::core {

struct DurationRange {
	int min = 0;
	int max = 0;
	int defaultValue = 0;
	std::optional<int> autoValue; // the value meaning "let the model choose" (-1), when the model has one
};

struct PixelSize {
	int width = 0;
	int height = 0;
};

struct ModelSpec {
	std::string id;
	std::string name;
	DurationRange duration;
	std::vector<std::string> resolutions;
	std::string defaultResolution;
	std::vector<std::string> aspectRatios;
	std::string defaultAspectRatio;
	bool firstFrame = true;
	bool lastFrame = false;
	bool audioDefault = false;
	// option name ("duration", "aspect_ratio", "resolution", "audio", "seed", "camera_fixed", "images") →
	// dotted JSON path in the create body ("metadata.resolution"); absent = the model does not take it.
	std::map<std::string, std::string> fields;

	bool supports(const std::string &option) const { return fields.count(option) > 0; }
	bool allowsResolution(const std::string &value) const;
	bool allowsAspectRatio(const std::string &value) const;
	bool allowsDuration(int seconds) const;
};

class ModelCatalog {
public:
	static constexpr const char *kDefaultModel = "doubao-seedance-1-5-pro";

	// Parses catalog JSON; never throws. Errors name what is wrong.
	static Result<ModelCatalog> parse(const std::string &json);
	// The catalog compiled into the binary.
	static const ModelCatalog &builtin();

	const ModelSpec *find(const std::string &id) const;
	const std::vector<ModelSpec> &models() const { return models_; }
	// Pixel size the first/last frame is prepared at; nullopt for "adaptive" or an unknown combination.
	std::optional<PixelSize> frameSize(const std::string &resolution, const std::string &aspectRatio) const;

private:
	std::vector<ModelSpec> models_;
	std::map<std::string, std::map<std::string, PixelSize>> frameSizes_;
};

// "16:9" → 16/9; 0 when not a ratio.
double aspectRatioValue(const std::string &ratio);

} // namespace seedance::core
