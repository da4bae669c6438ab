// Frame planning: nearest ratio for "canvas", centred crops, output sizes, refusals.
#include "test-framework.hpp"

#include "core/frame-plan.hpp"

using namespace seedance::core;

TEST_CASE("canvas picks the supported ratio nearest the canvas", "[frame-plan]")
{
	const auto &ratios = ModelCatalog::builtin().find("doubao-seedance-1-5-pro")->aspectRatios;
	CHECK(nearestAspectRatio(1920, 1080, ratios) == "16:9");
	CHECK(nearestAspectRatio(1366, 768, ratios) == "16:9");
	CHECK(nearestAspectRatio(1080, 1920, ratios) == "9:16");
	CHECK(nearestAspectRatio(1024, 768, ratios) == "4:3");
	CHECK(nearestAspectRatio(1000, 1000, ratios) == "1:1");
	CHECK(nearestAspectRatio(2560, 1080, ratios) == "21:9");
	CHECK(nearestAspectRatio(1920, 1200, ratios) == "16:9"); // 16:10 is nearer 16:9 than 4:3
	CHECK(nearestAspectRatio(1920, 1080, {"adaptive", "1:1"}) == "1:1");
}

TEST_CASE("crops are centred and of the requested ratio", "[frame-plan]")
{
	const auto &spec = *ModelCatalog::builtin().find("doubao-seedance-1-5-pro");
	auto same = planFrame(1920, 1080, "16:9", "1080p", spec);
	REQUIRE(same);
	CHECK(same->crop.x == 0);
	CHECK(same->crop.width == 1920);
	CHECK(same->output.width == 1920);

	auto square = planFrame(1920, 1080, "1:1", "720p", spec);
	REQUIRE(square);
	CHECK(square->crop.width == 1080);
	CHECK(square->crop.height == 1080);
	CHECK(square->crop.x == 420);
	CHECK(square->output.width == 960);

	auto wide = planFrame(1080, 1920, "16:9", "480p", spec);
	REQUIRE(wide);
	CHECK(wide->crop.width == 1080);
	CHECK(wide->crop.height == 620); // 1080 * 496 / 864
	CHECK(wide->crop.y == (1920 - 620) / 2);

	auto canvas = planFrame(1366, 768, kCanvasRatio, "720p", spec);
	REQUIRE(canvas);
	CHECK(canvas->aspectRatio == "16:9");
	CHECK(canvas->output.width == 1280);
}

TEST_CASE("adaptive keeps the source shape within the provider's bounds", "[frame-plan]")
{
	const auto &spec = *ModelCatalog::builtin().find("seedance-2");
	auto tall = planFrame(1080, 1920, "adaptive", "720p", spec);
	REQUIRE(tall);
	CHECK(tall->output.height > tall->output.width);
	CHECK(tall->output.width % 2 == 0);
	CHECK_FALSE(checkFrameDimensions(tall->output.width, tall->output.height));
	auto ultraWide = planFrame(4000, 1000, "adaptive", "720p", spec);
	REQUIRE(ultraWide);
	double r = static_cast<double>(ultraWide->output.width) / ultraWide->output.height;
	CHECK(r < 2.5);
	CHECK(ultraWide->crop.width < 4000); // cropped to the widest allowed shape
}

TEST_CASE("tiny sources and unknown resolutions are refused", "[frame-plan]")
{
	const auto &spec = *ModelCatalog::builtin().find("doubao-seedance-1-5-pro");
	CHECK(planFrame(200, 200, "1:1", "720p", spec).error().messageKey == "Error.Capture.TooSmall");
	CHECK(planFrame(0, 0, "1:1", "720p", spec).error().messageKey == "Error.Capture.ZeroSize");
	CHECK(planFrame(1920, 1080, "16:9", "8k", spec).error().messageKey == "Error.Invalid.Resolution");
	CHECK(planFrame(1920, 1080, "5:4", "720p", spec).error().messageKey == "Error.Invalid.AspectRatio");
}
