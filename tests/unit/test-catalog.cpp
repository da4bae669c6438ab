// Model catalog and request validation: every model's limits, checked before anything is sent.
#include "test-framework.hpp"

#include "core/generation-request.hpp"
#include "core/model-catalog.hpp"
#include "core/text.hpp"

using namespace seedance::core;

namespace {
GenerationRequest requestFor(const std::string &model)
{
	GenerationRequest r;
	r.model = model;
	r.prompt = "a cat jumps";
	return r;
}
} // namespace

TEST_CASE("the built-in catalog holds the documented models", "[catalog]")
{
	const auto &c = ModelCatalog::builtin();
	REQUIRE(c.models().size() >= 5);
	for (const char *id : {"doubao-seedance-1-5-pro", "doubao-seedance-1-0-pro-fast",
			       "doubao-seedance-1-0-pro-quality", "seedance-2", "seedance-2-fast"})
		CHECK(c.find(id) != nullptr);

	const ModelSpec &pro = *c.find("doubao-seedance-1-5-pro");
	CHECK(pro.duration.min == 4);
	CHECK(pro.duration.max == 12);
	CHECK(pro.duration.defaultValue == 5);
	CHECK(pro.resolutions == std::vector<std::string>{"480p", "720p", "1080p"});
	CHECK(pro.aspectRatios.size() == 6);
	CHECK(pro.lastFrame);
	CHECK(pro.fields.at("resolution") == "metadata.resolution");
	CHECK(pro.fields.at("camera_fixed") == "metadata.camerafixed");
	CHECK(pro.fields.at("audio") == "metadata.audio");

	const ModelSpec &fast = *c.find("doubao-seedance-1-0-pro-fast");
	CHECK(fast.duration.min == 2);
	CHECK_FALSE(fast.lastFrame);
	CHECK(fast.fields.at("resolution") == "resolution");
	CHECK(c.find("doubao-seedance-1-0-pro-quality")->lastFrame);
	CHECK(c.find("seedance-2")->allowsResolution("4k"));
	CHECK_FALSE(c.find("seedance-2-fast")->allowsResolution("1080p"));
	CHECK(c.find("seedance-2")->allowsDuration(-1));
	CHECK(c.find("seedance-2")->allowsAspectRatio("adaptive"));
}

TEST_CASE("frame sizes follow the reference table", "[catalog]")
{
	const auto &c = ModelCatalog::builtin();
	struct Row {
		const char *res, *ratio;
		int w, h;
	};
	for (auto row : {Row{"480p", "16:9", 864, 496}, Row{"480p", "21:9", 992, 432}, Row{"720p", "4:3", 1112, 834},
			 Row{"720p", "9:16", 720, 1280}, Row{"1080p", "1:1", 1440, 1440},
			 Row{"1080p", "21:9", 2206, 946}, Row{"1080p", "3:4", 1248, 1664}}) {
		auto size = c.frameSize(row.res, row.ratio);
		REQUIRE(size);
		CHECK(size->width == row.w);
		CHECK(size->height == row.h);
	}
	CHECK_FALSE(c.frameSize("720p", "adaptive"));
}

TEST_CASE("every model accepts its own defaults and limits and refuses values outside them", "[catalog][validate]")
{
	const auto &c = ModelCatalog::builtin();
	for (const auto &spec : c.models()) {
		INFO(spec.id);
		auto r = requestFor(spec.id);
		CHECK_FALSE(validateRequest(r, c, {true, false}));
		r.duration = spec.duration.min;
		CHECK_FALSE(validateRequest(r, c, {true, false}));
		r.duration = spec.duration.max;
		CHECK_FALSE(validateRequest(r, c, {true, false}));
		r.duration = spec.duration.min - 1;
		Error e = validateRequest(r, c, {true, false});
		if (spec.duration.autoValue && *spec.duration.autoValue == spec.duration.min - 1) {
			CHECK_FALSE(e);
		} else {
			REQUIRE(e);
			CHECK(e.kind == ErrorKind::InvalidInput);
			CHECK(e.args.at("field") == "duration");
		}
		r.duration = spec.duration.max + 1;
		CHECK(validateRequest(r, c, {true, false}).args.at("field") == "duration");
		r.duration.reset();

		for (const auto &res : spec.resolutions) {
			r.resolution = res;
			CHECK_FALSE(validateRequest(r, c, {true, false}));
		}
		r.resolution = "8k";
		CHECK(validateRequest(r, c, {true, false}).args.at("field") == "resolution");
		r.resolution.reset();
		for (const auto &ratio : spec.aspectRatios) {
			r.aspectRatio = ratio;
			CHECK_FALSE(validateRequest(r, c, {true, false}));
		}
		r.aspectRatio = "2:1";
		CHECK(validateRequest(r, c, {true, false}).args.at("field") == "aspect_ratio");
		r.aspectRatio.reset();

		Error last = validateRequest(r, c, {true, true});
		CHECK(bool(last) == !spec.lastFrame);
		r.audio = true;
		CHECK(bool(validateRequest(r, c, {true, false})) == !spec.supports("audio"));
		r.audio.reset();
		r.cameraFixed = true;
		CHECK(bool(validateRequest(r, c, {true, false})) == !spec.supports("camera_fixed"));
	}
}

TEST_CASE("validation messages name the field, the value and what is allowed", "[validate]")
{
	setLanguage("en-US");
	auto r = requestFor("doubao-seedance-1-5-pro");
	r.duration = 3;
	Error e = validateRequest(r, ModelCatalog::builtin(), {true, false});
	CHECK(userMessage(e) == "Duration 3 s is not possible with doubao-seedance-1-5-pro: choose 4–12 seconds.");
	r.duration.reset();
	r.aspectRatio = "2:1";
	CHECK(userMessage(validateRequest(r, ModelCatalog::builtin(), {true, false})) ==
	      "Aspect ratio 2:1 is not possible with doubao-seedance-1-5-pro: choose one of 16:9, 9:16, 1:1, 4:3, 3:4, 21:9.");
	setLanguage("zh-CN");
	CHECK(userMessage(validateRequest(r, ModelCatalog::builtin(), {true, false})).find("画面比例") !=
	      std::string::npos);
	setLanguage("en-US");
}

TEST_CASE("prompt, model, seed and frame rules", "[validate]")
{
	const auto &c = ModelCatalog::builtin();
	auto r = requestFor("no-such-model");
	CHECK(validateRequest(r, c, {}).args.at("field") == "model");
	r = requestFor("doubao-seedance-1-5-pro");
	r.prompt = "  \n\t";
	CHECK(validateRequest(r, c, {}).messageKey == "Error.Invalid.PromptEmpty");
	r.prompt = std::string(kMaxPromptChars + 1, 'a');
	CHECK(validateRequest(r, c, {}).messageKey == "Error.Invalid.PromptTooLong");
	r.prompt = "";
	for (size_t i = 0; i < kMaxPromptChars; ++i)
		r.prompt += "猫"; // characters, not bytes
	CHECK_FALSE(validateRequest(r, c, {}));
	r.prompt = "ok";
	r.seed = -1;
	CHECK_FALSE(validateRequest(r, c, {}));
	r.seed = kMaxSeed;
	CHECK_FALSE(validateRequest(r, c, {}));
	r.seed = kMaxSeed + 1;
	CHECK(validateRequest(r, c, {}).args.at("field") == "seed");
	r.seed = -2;
	CHECK(validateRequest(r, c, {}).args.at("field") == "seed");
	r.seed.reset();
	CHECK(validateRequest(r, c, {false, true}).messageKey == "Error.Invalid.LastWithoutFirst");
}

TEST_CASE("a malformed catalog is refused with a reason, never a crash", "[catalog]")
{
	CHECK_FALSE(ModelCatalog::parse("not json"));
	CHECK_FALSE(ModelCatalog::parse("[]"));
	CHECK_FALSE(ModelCatalog::parse(R"({"models":[]})"));
	CHECK_FALSE(ModelCatalog::parse(R"({"models":[{"id":"x"}]})"));
	CHECK_FALSE(ModelCatalog::parse(
		R"({"models":[{"id":"x","duration":{"min":5,"max":4},"resolutions":["720p"],"aspect_ratios":["1:1"],"fields":{}}]})"));
	auto dup = ModelCatalog::parse(
		R"({"models":[{"id":"x","duration":{"min":1,"max":4},"resolutions":["720p"],"aspect_ratios":["1:1"],"fields":{"duration":"duration"}},
		               {"id":"x","duration":{"min":1,"max":4},"resolutions":["720p"],"aspect_ratios":["1:1"],"fields":{"duration":"duration"}}]})");
	REQUIRE_FALSE(dup);
	CHECK(dup.error().detail.find("twice") != std::string::npos);
	auto ok = ModelCatalog::parse(
		R"({"models":[{"id":"x","duration":{"min":1,"max":4},"resolutions":["720p"],"aspect_ratios":["1:1"],"fields":{"duration":"duration"}}]})");
	REQUIRE(ok);
	CHECK(ok->find("x")->defaultResolution == "720p");
}
