// Frame capture in real libobs: known colours in known places come back exactly where they belong, on every
// canvas shape; sources off screen, removed sources and shutdown behave.
#include "test-framework.hpp"

#include "headless-obs.hpp"

#include "obs/frame-grabber.hpp"

#include <algorithm>
#include <set>
#include <thread>
#include <vector>

using namespace seedance;
using namespace seedance::test;

namespace {

constexpr uint32_t kRed = 0xFF0000FF; // color_source_v3 takes ABGR
constexpr uint32_t kGreen = 0xFF00FF00;
constexpr uint32_t kBlue = 0xFFFF0000;
constexpr uint32_t kWhite = 0xFFFFFFFF;

struct Rgb {
	int r, g, b;
};

Rgb pixel(const obs::RawFrame &f, int x, int y)
{
	const uint8_t *p = f.rgba.data() + (static_cast<size_t>(y) * f.width + x) * 4;
	if (f.order == obs::PixelOrder::Bgra)
		return {p[2], p[1], p[0]};
	return {p[0], p[1], p[2]};
}

std::string show(Rgb c)
{
	return "(" + std::to_string(c.r) + "," + std::to_string(c.g) + "," + std::to_string(c.b) + ")";
}

// A scene with four colour quadrants: red top-left, green top-right, blue bottom-left, white bottom-right.
struct QuadrantScene {
	OBSSceneAutoRelease scene;
	std::vector<OBSSourceAutoRelease> sources;

	QuadrantScene(const std::string &name, int w, int h)
	{
		scene = obs_scene_create(name.c_str());
		int hw = w / 2, hh = h / 2;
		struct Q {
			uint32_t color;
			int x, y, w, h;
		} quads[] = {{kRed, 0, 0, hw, hh},
			     {kGreen, hw, 0, w - hw, hh},
			     {kBlue, 0, hh, hw, h - hh},
			     {kWhite, hw, hh, w - hw, h - hh}};
		int i = 0;
		for (const auto &q : quads) {
			auto src = makeColorSource(name + "-q" + std::to_string(i++), q.color, q.w, q.h);
			obs_sceneitem_t *item = obs_scene_add(scene, src);
			vec2 pos{static_cast<float>(q.x), static_cast<float>(q.y)};
			obs_sceneitem_set_pos(item, &pos);
			sources.push_back(std::move(src));
		}
	}
	~QuadrantScene()
	{
		for (auto &s : sources)
			obs_source_remove(s);
		obs_source_remove(obs_scene_get_source(scene));
	}
};

core::Result<obs::RawFrame> captureNow(obs::FrameGrabber &grabber, obs::CaptureTarget target)
{
	core::CancelToken cancel;
	return grabber.capture(std::move(target)).wait(cancel, std::chrono::seconds(10));
}

} // namespace

TEST_CASE("program output quadrants read back exactly, on every canvas", "[obs][capture]")
{
	auto &obs = headlessObs();
	struct Canvas {
		int w, h;
	};
	for (auto canvas :
	     {Canvas{1280, 720}, Canvas{1920, 1080}, Canvas{3840, 2160}, Canvas{1366, 768}, Canvas{1080, 1920}}) {
		INFO("canvas " << canvas.w << "x" << canvas.h);
		obs.resetVideo(canvas.w, canvas.h);
		QuadrantScene scene("quadrants", canvas.w, canvas.h);
		obs_set_output_source(0, obs_scene_get_source(scene.scene));
		obs.waitFrames(4);

		obs::FrameGrabber grabber;
		auto frame = captureNow(grabber, obs::CaptureTarget::program());
		REQUIRE(frame);
		REQUIRE(frame->width == canvas.w);
		REQUIRE(frame->height == canvas.h);
		REQUIRE(frame->rgba.size() == static_cast<size_t>(canvas.w) * canvas.h * 4);
		CHECK(frame->frames <= 2); // staged straight from the main texture: pixels on the next frame

		int hw = canvas.w / 2, hh = canvas.h / 2, w = canvas.w, h = canvas.h;
		struct Probe {
			int x, y;
			Rgb expected;
		} probes[] = {
			{0, 0, {255, 0, 0}},          {hw - 1, 0, {255, 0, 0}},
			{0, hh - 1, {255, 0, 0}},     {hw - 1, hh - 1, {255, 0, 0}},
			{hw, 0, {0, 255, 0}},         {w - 1, 0, {0, 255, 0}},
			{w - 1, hh - 1, {0, 255, 0}}, {hw, hh - 1, {0, 255, 0}},
			{0, hh, {0, 0, 255}},         {hw - 1, hh, {0, 0, 255}},
			{0, h - 1, {0, 0, 255}},      {hw - 1, h - 1, {0, 0, 255}},
			{hw, hh, {255, 255, 255}},    {w - 1, h - 1, {255, 255, 255}},
			{hw, h - 1, {255, 255, 255}}, {w - 1, hh, {255, 255, 255}},
		};
		for (const auto &p : probes) {
			Rgb got = pixel(*frame, p.x, p.y);
			INFO("pixel " << p.x << "," << p.y << " = " << show(got) << ", expected " << show(p.expected));
			CHECK(got.r == p.expected.r);
			CHECK(got.g == p.expected.g);
			CHECK(got.b == p.expected.b);
		}
		obs_set_output_source(0, nullptr);
		grabber.shutdown();
	}
	obs.resetVideo(1280, 720);
}

TEST_CASE("halving on the GPU keeps colours and edges exact", "[obs][capture]")
{
	auto &obs = headlessObs();
	for (int scale : {1, 2}) {
		int w = 1920 * scale, h = 1080 * scale;
		INFO("canvas " << w << "x" << h);
		obs.resetVideo(w, h);
		QuadrantScene scene("halved", w, h);
		obs_set_output_source(0, obs_scene_get_source(scene.scene));
		obs.waitFrames(4);
		obs::FrameGrabber grabber;
		auto target = obs::CaptureTarget::program();
		target.divisor = [](int, int) {
			return 2;
		};
		auto frame = captureNow(grabber, std::move(target));
		REQUIRE(frame);
		REQUIRE(frame->width == w / 2);
		REQUIRE(frame->height == h / 2);
		int hw = frame->width / 2, hh = frame->height / 2;
		CHECK(pixel(*frame, hw - 1, hh - 1).r == 255);
		CHECK(pixel(*frame, hw - 1, hh - 1).g == 0);
		CHECK(pixel(*frame, hw, hh - 1).g == 255);
		CHECK(pixel(*frame, hw - 1, hh).b == 255);
		CHECK(pixel(*frame, hw - 1, hh).r == 0);
		CHECK(pixel(*frame, hw, hh).r == 255);
		CHECK(pixel(*frame, hw, hh).b == 255);
		obs_set_output_source(0, nullptr);
		grabber.shutdown();
	}
	obs.resetVideo(1280, 720);
	CHECK(obs::lossFreeDivisor(3840, 2160, 1920, 1080) == 2);
	CHECK(obs::lossFreeDivisor(1920, 1080, 1920, 1080) == 1);
	CHECK(obs::lossFreeDivisor(3840, 2160, 2206, 946) == 1);
}

TEST_CASE("captures asked for before the same frame share one readback", "[obs][capture]")
{
	auto &obs = headlessObs();
	obs.resetVideo(1280, 720);
	QuadrantScene scene("burst", 1280, 720);
	obs_set_output_source(0, obs_scene_get_source(scene.scene));
	obs.waitFrames(4);
	obs::FrameGrabber grabber;

	// A burst (a Stream Deck macro, 20 websocket requests): asked for within microseconds, so at most one frame
	// boundary falls among them.
	constexpr int kBurst = 8;
	std::vector<obs::PendingCapture> pending;
	for (int i = 0; i < kBurst; ++i)
		pending.push_back(grabber.capture(obs::CaptureTarget::program()));
	auto halved = obs::CaptureTarget::program();
	halved.divisor = [](int, int) {
		return 2;
	};
	auto half = grabber.capture(std::move(halved));

	core::CancelToken cancel;
	std::set<const uint8_t *> buffers;
	std::vector<obs::RawFrame> frames;
	for (auto &p : pending) {
		auto frame = p.wait(cancel, std::chrono::seconds(10));
		REQUIRE(frame);
		REQUIRE(frame->width == 1280);
		REQUIRE(frame->height == 720);
		CHECK(pixel(*frame, 0, 0).r == 255);
		CHECK(pixel(*frame, 1279, 719).b == 255);
		buffers.insert(frame->rgba.data());
		frames.push_back(std::move(*frame));
	}
	INFO(buffers.size() << " readbacks for " << kBurst << " captures");
	CHECK(buffers.size() <= 2);
	long shared = 0;
	for (const auto &f : frames)
		shared = std::max(shared, f.rgba.holders());
	CHECK(shared >= kBurst / 2); // one copy of the pixels, however many jobs

	// Same target, another size: its own readback, not a neighbour's pixels.
	auto halfFrame = half.wait(cancel, std::chrono::seconds(10));
	REQUIRE(halfFrame);
	CHECK(halfFrame->width == 640);
	CHECK(halfFrame->height == 360);
	CHECK(buffers.count(halfFrame->rgba.data()) == 0);

	// The pages go back to the system with the last holder; a copy keeps them alive meanwhile.
	obs::RawFrame kept = frames.back();
	frames.clear();
	CHECK(kept.rgba.holders() >= 1);
	CHECK(pixel(kept, 1279, 0).g == 255);
	obs_set_output_source(0, nullptr);
	grabber.shutdown();
}

TEST_CASE("a scene that is not on screen is captured at its own size", "[obs][capture]")
{
	auto &obs = headlessObs();
	obs.resetVideo(1280, 720);
	OBSSceneAutoRelease shown = obs_scene_create("shown");
	obs_set_output_source(0, obs_scene_get_source(shown));
	QuadrantScene hidden("off-screen", 1280, 720);
	auto lone = makeColorSource("lone-blue", kBlue, 400, 300);

	obs::FrameGrabber grabber;
	auto target = obs::CaptureTarget::byName("off-screen");
	REQUIRE(target);
	auto frame = captureNow(grabber, *target);
	REQUIRE(frame);
	CHECK(frame->width == 1280);
	CHECK(pixel(*frame, 10, 10).r == 255);
	CHECK(pixel(*frame, 1270, 710).b == 255);

	auto source = captureNow(grabber, obs::CaptureTarget::forSource(lone));
	REQUIRE(source);
	CHECK(source->width == 400);
	CHECK(source->height == 300);
	Rgb c = pixel(*source, 200, 150);
	CHECK((c.r == 0 && c.g == 0 && c.b == 255));

	CHECK_FALSE(obs::CaptureTarget::byName("no such source"));
	obs_source_remove(lone);
	obs_set_output_source(0, nullptr);
	obs_source_remove(obs_scene_get_source(shown));
}

TEST_CASE("a source removed during a capture gives a clean error", "[obs][capture]")
{
	obs::FrameGrabber grabber;
	auto doomed = makeColorSource("doomed", kRed, 640, 360);
	// Hold the graphics lock so the capture cannot render before the source is gone.
	obs_enter_graphics();
	auto pending = grabber.capture(obs::CaptureTarget::forSource(doomed));
	obs_source_remove(doomed);
	doomed = nullptr; // last reference
	obs_leave_graphics();
	core::CancelToken cancel;
	auto result = pending.wait(cancel, std::chrono::seconds(5));
	REQUIRE_FALSE(result);
	CHECK(result.error().messageKey == "Error.Capture.SourceGone");
}

TEST_CASE("a source without a picture is refused", "[obs][capture]")
{
	obs::FrameGrabber grabber;
	OBSDataAutoRelease settings = obs_data_create();
	OBSSourceAutoRelease empty = obs_source_create("image_source", "no-file", settings, nullptr);
	auto result = captureNow(grabber, obs::CaptureTarget::forSource(empty));
	REQUIRE_FALSE(result);
	CHECK(result.error().messageKey == "Error.Capture.ZeroSize");
}

TEST_CASE("capturing during shutdown neither hangs nor crashes", "[obs][capture]")
{
	auto grabber = std::make_unique<obs::FrameGrabber>();
	std::vector<obs::PendingCapture> pending;
	for (int i = 0; i < 5; ++i)
		pending.push_back(grabber->capture(obs::CaptureTarget::program()));
	auto start = std::chrono::steady_clock::now();
	grabber->shutdown();
	core::CancelToken cancel;
	for (auto &p : pending) {
		auto r = p.wait(cancel, std::chrono::seconds(5));
		// Either it finished before shutdown or it was failed by it: never stuck.
		if (!r)
			CHECK(r.error().messageKey == "Error.Capture.Shutdown");
	}
	CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(1));
	auto late = grabber->capture(obs::CaptureTarget::program()).wait(cancel, std::chrono::seconds(1));
	REQUIRE_FALSE(late);
	CHECK(late.error().messageKey == "Error.Capture.Shutdown");
	grabber.reset();
}

TEST_CASE("a capture wait is cancellable", "[obs][capture]")
{
	obs::FrameGrabber grabber;
	obs_enter_graphics(); // the graphics thread cannot advance the capture meanwhile
	auto pending = grabber.capture(obs::CaptureTarget::program());
	core::CancelToken cancel;
	cancel.cancel();
	auto r = pending.wait(cancel, std::chrono::seconds(5));
	obs_leave_graphics();
	REQUIRE_FALSE(r);
	CHECK(r.error().kind == core::ErrorKind::Cancelled);
}
