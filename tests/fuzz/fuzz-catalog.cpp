// Fuzz target: the model catalog (ModelCatalog::parse) and what the catalog drives: request validation, the
// create body and the frame plan. Input, in up to three parts separated by a "\n---\n" line:
//
//   catalog JSON (empty: the built-in catalog)
//   ---
//   {"request": {...as in the journal...}, "first": true, "last": false, "source": [1920, 1080]}
//   ---
//   raw prompt bytes (optional; replace the prompt, so that it need not be valid JSON or UTF-8)
#include "fuzz-support.hpp"

#include "core/frame-plan.hpp"
#include "core/generation-request.hpp"
#include "core/model-catalog.hpp"

using namespace seedance;
using nlohmann::json;

namespace {

void checkCatalog(const core::ModelCatalog &catalog)
{
	FUZZ_CHECK(!catalog.models().empty());
	for (const auto &m : catalog.models()) {
		// Every model the UI offers has usable limits, and its defaults are among them (the UI preselects them).
		FUZZ_CHECK(!m.id.empty());
		FUZZ_CHECK(catalog.find(m.id) == &m);
		FUZZ_CHECK(m.duration.min >= 1 && m.duration.max >= m.duration.min);
		FUZZ_CHECK(m.allowsDuration(m.duration.defaultValue));
		FUZZ_CHECK(m.allowsResolution(m.defaultResolution));
		FUZZ_CHECK(m.allowsAspectRatio(m.defaultAspectRatio));
		for (const auto &[option, path] : m.fields)
			FUZZ_CHECK(!path.empty());
		for (const auto &resolution : m.resolutions)
			for (const auto &ratio : m.aspectRatios)
				if (auto size = catalog.frameSize(resolution, ratio))
					FUZZ_CHECK(size->width > 0 && size->height > 0 && size->width <= 10000 &&
						   size->height <= 10000);
		for (const auto &ratio : m.aspectRatios) {
			double value = core::aspectRatioValue(ratio);
			FUZZ_CHECK(std::isfinite(value) && value >= 0);
		}
	}
}

// The user never sees a sentence with an unfilled "{placeholder}".
void checkPlaceholders(const core::Error &e)
{
	std::string pattern = core::text(e.messageKey);
	for (size_t open = pattern.find('{'); open != std::string::npos; open = pattern.find('{', open + 1)) {
		size_t close = pattern.find('}', open);
		if (close == std::string::npos)
			break;
		FUZZ_CHECK(e.args.count(pattern.substr(open + 1, close - open - 1)));
	}
}

bool isBlank(const std::string &s)
{
	return s.find_first_not_of(" \t\r\n") == std::string::npos;
}

// Where the catalog maps an option into the create body, the value must be there. Only when no path can clobber
// another or the model and prompt (a catalog may legitimately nest two options under one object).
void checkCreateBody(const json &body, const core::GenerationRequest &request, const core::ModelSpec &spec)
{
	FUZZ_CHECK(body.is_object());
	std::string dumped = body.dump();
	FUZZ_CHECK(json::parse(dumped) == body);
	for (const auto &[option, path] : spec.fields) {
		std::string head = path.substr(0, path.find('.'));
		if (head == "model" || head == "prompt")
			return;
		for (const auto &[other, otherPath] : spec.fields)
			if (other != option && (otherPath == path || otherPath.rfind(path + ".", 0) == 0))
				return;
	}
	FUZZ_CHECK(body.at("model") == spec.id);
	// The prompt goes out as typed; only bytes that are not UTF-8 (which JSON cannot carry) are replaced.
	bool utf8 = true;
	try {
		(void)json(request.prompt).dump();
	} catch (const json::exception &) {
		utf8 = false;
	}
	if (utf8)
		FUZZ_CHECK(body.at("prompt") == request.prompt);
	else
		FUZZ_CHECK(fuzz::contains(body.at("prompt").get<std::string>(), "\xEF\xBF\xBD"));
	auto at = [&](const std::string &path) -> const json * {
		const json *node = &body;
		size_t start = 0;
		while (true) {
			size_t dot = path.find('.', start);
			std::string part =
				path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
			if (!node->is_object() || !node->contains(part))
				return nullptr;
			node = &(*node)[part];
			if (dot == std::string::npos)
				return node;
			start = dot + 1;
		}
	};
	if (spec.supports("duration")) {
		const json *d = at(spec.fields.at("duration"));
		FUZZ_CHECK(d && *d == request.effectiveDuration(spec));
	}
	if (spec.supports("resolution")) {
		const json *r = at(spec.fields.at("resolution"));
		FUZZ_CHECK(r && *r == request.effectiveResolution(spec));
	}
	if (request.seed && spec.supports("seed")) {
		const json *s = at(spec.fields.at("seed"));
		FUZZ_CHECK(s && *s == *request.seed);
	}
}

void checkRequest(const core::ModelCatalog &catalog, core::GenerationRequest request, core::FramePlan frames,
		  int sourceWidth, int sourceHeight)
{
	core::Error e = core::validateRequest(request, catalog, frames);
	const core::ModelSpec *spec = catalog.find(request.model);
	if (e) {
		// Caught before anything is sent: the user is told which field and what is allowed.
		fuzz::checkError(e);
		FUZZ_CHECK(e.kind == core::ErrorKind::InvalidInput);
		FUZZ_CHECK(e.args.count("field") && !e.args.at("field").empty());
		checkPlaceholders(e);
		return;
	}
	// Valid means every value is one the model accepts, so the provider cannot reject (and bill) it for that.
	FUZZ_CHECK(spec);
	FUZZ_CHECK(!isBlank(request.prompt));
	FUZZ_CHECK(core::utf8Length(request.prompt) <= core::kMaxPromptChars);
	FUZZ_CHECK(spec->allowsDuration(request.effectiveDuration(*spec)));
	FUZZ_CHECK(spec->allowsAspectRatio(request.effectiveAspectRatio(*spec)));
	FUZZ_CHECK(spec->allowsResolution(request.effectiveResolution(*spec)));
	if (request.audio && *request.audio)
		FUZZ_CHECK(spec->supports("audio"));
	if (request.seed)
		FUZZ_CHECK(spec->supports("seed") && *request.seed >= -1 && *request.seed <= core::kMaxSeed);
	if (request.cameraFixed && *request.cameraFixed)
		FUZZ_CHECK(spec->supports("camera_fixed"));
	FUZZ_CHECK(!frames.last || (frames.first && spec->lastFrame));
	FUZZ_CHECK(!frames.first || spec->firstFrame);

	if (frames.first)
		request.firstFrameUrl = "https://files.example.com/uploads/first.png";
	if (frames.last)
		request.lastFrameUrl = "https://files.example.com/uploads/last.png";
	checkCreateBody(core::buildCreateBody(request, *spec), request, *spec);

	// The frame plan for every ratio the model offers (and "canvas"): a crop inside the source, sizes the
	// provider accepts, or an error that says why.
	std::vector<std::string> ratios = spec->aspectRatios;
	ratios.push_back(core::kCanvasRatio);
	for (const auto &ratio : ratios) {
		auto plan = core::planFrame(sourceWidth, sourceHeight, ratio, request.effectiveResolution(*spec), *spec,
					    catalog);
		if (!plan) {
			fuzz::checkError(plan.error());
			checkPlaceholders(plan.error());
			continue;
		}
		const core::CropRect &c = plan->crop;
		FUZZ_CHECK(c.x >= 0 && c.y >= 0 && c.width > 0 && c.height > 0);
		FUZZ_CHECK(c.x + c.width <= sourceWidth && c.y + c.height <= sourceHeight);
		FUZZ_CHECK(!core::checkFrameDimensions(c.width, c.height));
		FUZZ_CHECK(!core::checkFrameDimensions(plan->output.width, plan->output.height));
		FUZZ_CHECK(spec->allowsAspectRatio(plan->aspectRatio));
	}
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
	fuzz::init();
	return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, size_t size)
{
	std::string input(reinterpret_cast<const char *>(data), size);
	static const std::string kSeparator = "\n---\n";
	size_t cut1 = input.find(kSeparator);
	std::string catalogText = input.substr(0, cut1);
	std::string requestText, promptBytes;
	bool rawPrompt = false;
	if (cut1 != std::string::npos) {
		size_t start = cut1 + kSeparator.size();
		size_t cut2 = input.find(kSeparator, start);
		requestText = input.substr(start, cut2 == std::string::npos ? std::string::npos : cut2 - start);
		if (cut2 != std::string::npos) {
			promptBytes = input.substr(cut2 + kSeparator.size());
			rawPrompt = true;
		}
	}

	core::ModelCatalog parsedStorage;
	const core::ModelCatalog *catalog = &core::ModelCatalog::builtin();
	if (!catalogText.empty()) {
		auto parsed = core::ModelCatalog::parse(catalogText);
		if (!parsed) {
			fuzz::checkError(parsed.error());
			FUZZ_CHECK(parsed.error().messageKey == "Error.Catalog");
			return 0;
		}
		checkCatalog(*parsed);
		parsedStorage = std::move(*parsed);
		catalog = &parsedStorage;
	}
	if (requestText.empty() && !rawPrompt)
		return 0;

	// The request as a journal entry carries it (jobFromJson), so resumed jobs are validated the same way.
	json r = json::parse(requestText, nullptr, false);
	if (r.is_discarded() || !r.is_object())
		r = json::object();
	json entry = {{"id", "job_fuzz"},
		      {"state", "waiting"},
		      {"request", r.contains("request") && r["request"].is_object() ? r["request"] : json::object()}};
	auto job = core::jobFromJson(entry);
	FUZZ_CHECK(job);
	core::GenerationRequest request = job->request;
	if (rawPrompt)
		request.prompt = promptBytes;
	core::FramePlan frames;
	auto flag = [&](const char *key) {
		auto it = r.find(key);
		return it != r.end() && it->is_boolean() && it->get<bool>();
	};
	frames.first = flag("first");
	frames.last = flag("last");
	int width = 1920, height = 1080;
	if (auto s = r.find("source"); s != r.end() && s->is_array() && s->size() == 2 && (*s)[0].is_number_integer() &&
				       (*s)[1].is_number_integer()) {
		width = static_cast<int>(std::clamp<long long>((*s)[0].get<long long>(), -100000, 100000));
		height = static_cast<int>(std::clamp<long long>((*s)[1].get<long long>(), -100000, 100000));
	}
	checkRequest(*catalog, request, frames, width, height);
	return 0;
}
