// Model catalog parsing and lookup.
#include "model-catalog.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace seedance::embedded {
extern const unsigned char model_catalog_json[];
extern const std::size_t model_catalog_json_size;
} // namespace seedance::embedded

namespace seedance::core {

using nlohmann::json;

namespace {

Error catalogError(const std::string &detail)
{
	return makeError(ErrorKind::Internal, "Error.Catalog", detail, {{"detail", detail}});
}

std::vector<std::string> stringList(const json &j, const char *key)
{
	std::vector<std::string> out;
	auto it = j.find(key);
	if (it == j.end() || !it->is_array())
		return out;
	for (const auto &v : *it)
		if (v.is_string())
			out.push_back(v.get<std::string>());
	return out;
}

std::string stringField(const json &j, const char *key, const std::string &fallback = {})
{
	auto it = j.find(key);
	return it != j.end() && it->is_string() ? it->get<std::string>() : fallback;
}

bool boolField(const json &j, const char *key, bool fallback)
{
	auto it = j.find(key);
	return it != j.end() && it->is_boolean() ? it->get<bool>() : fallback;
}

std::optional<int> intField(const json &j, const char *key)
{
	auto it = j.find(key);
	if (it == j.end() || !it->is_number_integer())
		return std::nullopt;
	auto v = it->get<long long>();
	if (v < -100000 || v > 100000)
		return std::nullopt;
	return static_cast<int>(v);
}

bool contains(const std::vector<std::string> &list, const std::string &value)
{
	return std::find(list.begin(), list.end(), value) != list.end();
}

} // namespace

bool ModelSpec::allowsResolution(const std::string &value) const
{
	return contains(resolutions, value);
}

bool ModelSpec::allowsAspectRatio(const std::string &value) const
{
	return contains(aspectRatios, value);
}

bool ModelSpec::allowsDuration(int seconds) const
{
	return (seconds >= duration.min && seconds <= duration.max) ||
	       (duration.autoValue && seconds == *duration.autoValue);
}

Result<ModelCatalog> ModelCatalog::parse(const std::string &text)
{
	json root = json::parse(text, nullptr, false);
	if (root.is_discarded() || !root.is_object())
		return catalogError("catalog is not a JSON object");
	auto modelsIt = root.find("models");
	if (modelsIt == root.end() || !modelsIt->is_array() || modelsIt->empty())
		return catalogError("catalog has no models");

	ModelCatalog catalog;
	for (const auto &m : *modelsIt) {
		if (!m.is_object())
			return catalogError("a model entry is not an object");
		ModelSpec spec;
		spec.id = stringField(m, "id");
		if (spec.id.empty())
			return catalogError("a model has no id");
		if (catalog.find(spec.id))
			return catalogError("model " + spec.id + " is listed twice");
		spec.name = stringField(m, "name", spec.id);
		auto d = m.find("duration");
		if (d == m.end() || !d->is_object())
			return catalogError("model " + spec.id + " has no duration range");
		auto dmin = intField(*d, "min"), dmax = intField(*d, "max");
		if (!dmin || !dmax || *dmin < 1 || *dmax < *dmin)
			return catalogError("model " + spec.id + " has an invalid duration range");
		spec.duration.min = *dmin;
		spec.duration.max = *dmax;
		spec.duration.defaultValue = intField(*d, "default").value_or(*dmin);
		spec.duration.autoValue = intField(*d, "auto");
		spec.resolutions = stringList(m, "resolutions");
		spec.aspectRatios = stringList(m, "aspect_ratios");
		if (spec.resolutions.empty() || spec.aspectRatios.empty())
			return catalogError("model " + spec.id + " lists no resolutions or aspect ratios");
		spec.defaultResolution = stringField(m, "default_resolution", spec.resolutions.front());
		spec.defaultAspectRatio = stringField(m, "default_aspect_ratio", spec.aspectRatios.front());
		if (!spec.allowsResolution(spec.defaultResolution) ||
		    !spec.allowsAspectRatio(spec.defaultAspectRatio) ||
		    !spec.allowsDuration(spec.duration.defaultValue))
			return catalogError("model " + spec.id + " has a default outside its own limits");
		spec.firstFrame = boolField(m, "first_frame", true);
		spec.lastFrame = boolField(m, "last_frame", false);
		spec.audioDefault = boolField(m, "audio_default", false);
		auto f = m.find("fields");
		if (f == m.end() || !f->is_object())
			return catalogError("model " + spec.id + " has no field map");
		for (auto it = f->begin(); it != f->end(); ++it) {
			if (!it.value().is_string() || it.value().get<std::string>().empty())
				return catalogError("model " + spec.id + " maps " + it.key() + " to no field");
			spec.fields[it.key()] = it.value().get<std::string>();
		}
		catalog.models_.push_back(std::move(spec));
	}

	auto sizes = root.find("frame_sizes");
	if (sizes != root.end() && sizes->is_object()) {
		for (auto r = sizes->begin(); r != sizes->end(); ++r) {
			if (!r.value().is_object())
				continue;
			for (auto a = r.value().begin(); a != r.value().end(); ++a) {
				const auto &wh = a.value();
				if (wh.is_array() && wh.size() == 2 && wh[0].is_number_integer() &&
				    wh[1].is_number_integer()) {
					int w = wh[0].get<int>(), h = wh[1].get<int>();
					if (w > 0 && h > 0 && w <= 10000 && h <= 10000)
						catalog.frameSizes_[r.key()][a.key()] = PixelSize{w, h};
				}
			}
		}
	}
	return catalog;
}

const ModelCatalog &ModelCatalog::builtin()
{
	static const ModelCatalog catalog = [] {
		auto parsed = parse(std::string(reinterpret_cast<const char *>(embedded::model_catalog_json),
						embedded::model_catalog_json_size));
		// The built-in catalog is tested; failing here means the build shipped a broken resource.
		return parsed ? parsed.value() : ModelCatalog{};
	}();
	return catalog;
}

const ModelSpec *ModelCatalog::find(const std::string &id) const
{
	for (const auto &m : models_)
		if (m.id == id)
			return &m;
	return nullptr;
}

std::optional<PixelSize> ModelCatalog::frameSize(const std::string &resolution, const std::string &aspectRatio) const
{
	auto r = frameSizes_.find(resolution);
	if (r == frameSizes_.end())
		return std::nullopt;
	auto a = r->second.find(aspectRatio);
	if (a == r->second.end())
		return std::nullopt;
	return a->second;
}

double aspectRatioValue(const std::string &ratio)
{
	size_t colon = ratio.find(':');
	if (colon == std::string::npos || colon == 0 || colon + 1 >= ratio.size())
		return 0;
	try {
		double w = std::stod(ratio.substr(0, colon));
		double h = std::stod(ratio.substr(colon + 1));
		return h > 0 && w > 0 ? w / h : 0;
	} catch (...) {
		return 0;
	}
}

} // namespace seedance::core
