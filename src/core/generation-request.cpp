// Request validation and create-body building.
#include "generation-request.hpp"

#include <nlohmann/json.hpp>

namespace seedance::core {

using nlohmann::json;

namespace {

std::string joinList(const std::vector<std::string> &values)
{
	std::string out;
	for (const auto &v : values) {
		if (!out.empty())
			out += ", ";
		out += v;
	}
	return out;
}

Error invalid(const std::string &key, const std::string &field, std::map<std::string, std::string> args = {})
{
	args["field"] = field;
	return makeError(ErrorKind::InvalidInput, key, "invalid " + field, std::move(args));
}

bool isBlank(const std::string &s)
{
	return s.find_first_not_of(" \t\r\n") == std::string::npos;
}

// Sets `value` at a dotted path ("metadata.resolution") inside `body`.
void setPath(json &body, const std::string &path, json value)
{
	json *node = &body;
	size_t start = 0;
	while (true) {
		size_t dot = path.find('.', start);
		std::string part = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
		if (dot == std::string::npos) {
			(*node)[part] = std::move(value);
			return;
		}
		node = &(*node)[part];
		if (!node->is_object())
			*node = json::object();
		start = dot + 1;
	}
}

// A prompt typed in a terminal that is not UTF-8 cannot go into a JSON body as it is (dump() throws, and the CLI
// died of it): its stray bytes become U+FFFD, as the journal writes them.
std::string validUtf8(const std::string &text)
{
	return json::parse(json(text).dump(-1, ' ', false, json::error_handler_t::replace)).get<std::string>();
}

} // namespace

size_t utf8Length(const std::string &text)
{
	size_t count = 0;
	for (unsigned char c : text)
		if ((c & 0xC0) != 0x80)
			++count;
	return count;
}

Error validateRequest(const GenerationRequest &request, const ModelCatalog &catalog, FramePlan frames)
{
	const ModelSpec *spec = catalog.find(request.model);
	if (!spec) {
		std::vector<std::string> ids;
		for (const auto &m : catalog.models())
			ids.push_back(m.id);
		return invalid("Error.Invalid.Model", "model", {{"value", request.model}, {"allowed", joinList(ids)}});
	}
	return validateRequest(request, *spec, frames);
}

Error validateRequest(const GenerationRequest &request, const ModelSpec &specRef, FramePlan frames)
{
	const ModelSpec *spec = &specRef;
	if (request.model != spec->id)
		return invalid("Error.Invalid.Model", "model", {{"value", request.model}, {"allowed", spec->id}});
	if (isBlank(request.prompt))
		return invalid("Error.Invalid.PromptEmpty", "prompt");
	if (utf8Length(request.prompt) > kMaxPromptChars)
		return invalid("Error.Invalid.PromptTooLong", "prompt",
			       {{"max", std::to_string(kMaxPromptChars)},
				{"value", std::to_string(utf8Length(request.prompt))}});
	if (request.duration && !spec->allowsDuration(*request.duration)) {
		std::string allowed = std::to_string(spec->duration.min) + "–" + std::to_string(spec->duration.max);
		if (spec->duration.autoValue)
			allowed += " (" + std::to_string(*spec->duration.autoValue) + " = auto)";
		return invalid(
			"Error.Invalid.Duration", "duration",
			{{"value", std::to_string(*request.duration)}, {"allowed", allowed}, {"model", spec->id}});
	}
	if (request.aspectRatio && !spec->allowsAspectRatio(*request.aspectRatio))
		return invalid("Error.Invalid.AspectRatio", "aspect_ratio",
			       {{"value", *request.aspectRatio},
				{"allowed", joinList(spec->aspectRatios)},
				{"model", spec->id}});
	if (request.resolution && !spec->allowsResolution(*request.resolution))
		return invalid("Error.Invalid.Resolution", "resolution",
			       {{"value", *request.resolution},
				{"allowed", joinList(spec->resolutions)},
				{"model", spec->id}});
	if (request.audio && *request.audio && !spec->supports("audio"))
		return invalid("Error.Invalid.Unsupported", "audio", {{"model", spec->id}});
	if (request.seed) {
		if (!spec->supports("seed"))
			return invalid("Error.Invalid.Unsupported", "seed", {{"model", spec->id}});
		if (*request.seed < -1 || *request.seed > kMaxSeed)
			return invalid("Error.Invalid.Seed", "seed",
				       {{"value", std::to_string(*request.seed)}, {"max", std::to_string(kMaxSeed)}});
	}
	if (request.cameraFixed && *request.cameraFixed && !spec->supports("camera_fixed"))
		return invalid("Error.Invalid.Unsupported", "camera_fixed", {{"model", spec->id}});
	if (frames.first && !spec->firstFrame)
		return invalid("Error.Invalid.Unsupported", "first_frame", {{"model", spec->id}});
	if (frames.last && !frames.first)
		return invalid("Error.Invalid.LastWithoutFirst", "last_frame");
	if (frames.last && !spec->lastFrame)
		return invalid("Error.Invalid.LastFrame", "last_frame", {{"model", spec->id}});
	return {};
}

json buildCreateBody(const GenerationRequest &request, const ModelSpec &spec)
{
	json body = json::object();
	body["model"] = spec.id;
	body["prompt"] = validUtf8(request.prompt);

	auto put = [&](const char *option, json value) {
		auto it = spec.fields.find(option);
		if (it != spec.fields.end())
			setPath(body, it->second, std::move(value));
	};
	put("duration", request.effectiveDuration(spec));
	put("aspect_ratio", request.effectiveAspectRatio(spec));
	put("resolution", request.effectiveResolution(spec));
	if (request.audio)
		put("audio", *request.audio);
	if (request.seed)
		put("seed", *request.seed);
	if (request.cameraFixed)
		put("camera_fixed", *request.cameraFixed);

	// Images: image_with_roles with plain URL strings (reference §3, §11.4); never also image_urls.
	auto images = spec.fields.find("images");
	if (!request.firstFrameUrl.empty() && images != spec.fields.end()) {
		if (images->second == "image_urls") {
			json urls = json::array({request.firstFrameUrl});
			if (!request.lastFrameUrl.empty())
				urls.push_back(request.lastFrameUrl);
			setPath(body, "image_urls", std::move(urls));
		} else {
			json roles = json::array();
			roles.push_back({{"url", request.firstFrameUrl}, {"role", "first_frame"}});
			if (!request.lastFrameUrl.empty())
				roles.push_back({{"url", request.lastFrameUrl}, {"role", "last_frame"}});
			setPath(body, images->second, std::move(roles));
		}
	}
	return body;
}

} // namespace seedance::core
