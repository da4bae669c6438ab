// The Seedance Clip slot in real libobs with obs-ffmpeg: it draws the clip at its own size, applies the playback
// policies, passes the clip's audio through, forwards media controls, and receives clips from real jobs.
#include "test-framework.hpp"

#include "headless-obs.hpp"

#include "../integration/client-fixture.hpp"
#include "core/file-util.hpp"
#include "core/job-runner.hpp"
#include "obs/clip-inserter.hpp"
#include "obs/clip-slot-source.hpp"
#include "obs/frame-grabber.hpp"
#include "obs/obs-frame-provider.hpp"

#include <atomic>
#include <cmath>
#include <cstdlib>
#include <thread>

using namespace seedance;
using namespace seedance::test;

namespace {

void registerOnce()
{
	static bool done = false;
	if (!done) {
		obs::registerClipSlotSource();
		done = true;
	}
}

// 320x180: left half red, right half blue, 2 s, with a 440 Hz tone.
const std::string &splitClip()
{
	static const std::string path = makeTestClip(
		std::string(SEEDANCE_TEST_ARTIFACTS) + "/slot-clip.mp4",
		"-f lavfi -i color=red:s=160x180:d=2:r=25 -f lavfi -i color=blue:s=160x180:d=2:r=25 "
		"-f lavfi -i sine=frequency=440:duration=2 -filter_complex "
		"'[0:v][1:v]hstack=inputs=2[v]' -map '[v]' -map 2:a -c:v libx264 -pix_fmt yuv420p -c:a aac "
		"-shortest");
	return path;
}

bool waitFor(const std::function<bool()> &pred, int ms)
{
	for (int i = 0; i < ms / 20; ++i) {
		if (pred())
			return true;
		std::this_thread::sleep_for(std::chrono::milliseconds(20));
	}
	return pred();
}

struct Rgba {
	int r, g, b, a;
};

Rgba at(const obs::RawFrame &f, int x, int y)
{
	const uint8_t *p = f.rgba.data() + (static_cast<size_t>(y) * f.width + x) * 4;
	return f.order == obs::PixelOrder::Bgra ? Rgba{p[2], p[1], p[0], p[3]} : Rgba{p[0], p[1], p[2], p[3]};
}

bool isRed(Rgba c)
{
	return c.r > 200 && c.g < 60 && c.b < 60;
}
bool isBlue(Rgba c)
{
	return c.b > 200 && c.r < 60 && c.g < 60;
}

// A slot in an on-air scene.
struct SlotScene {
	OBSSceneAutoRelease scene;
	OBSSourceAutoRelease slot;

	SlotScene(const std::string &name, int w, int h, const char *fit = "letterbox",
		  const char *idle = "transparent")
	{
		registerOnce();
		scene = obs_scene_create((name + " scene").c_str());
		OBSDataAutoRelease settings = obs_data_create();
		obs_data_set_int(settings, "width", w);
		obs_data_set_int(settings, "height", h);
		obs_data_set_string(settings, "fit", fit);
		obs_data_set_string(settings, "idle", idle);
		slot = obs_source_create(obs::kSlotSourceId, name.c_str(), settings, nullptr);
		obs_scene_add(scene, slot);
		obs_set_output_source(0, obs_scene_get_source(scene));
	}
	~SlotScene()
	{
		obs_set_output_source(0, nullptr);
		headlessObs().drainUi();
		obs_source_remove(slot);
		obs_source_remove(obs_scene_get_source(scene));
	}
	obs_media_state state() { return obs_source_media_get_state(slot); }
	obs::RawFrame capture()
	{
		obs::FrameGrabber grabber;
		core::CancelToken cancel;
		auto frame = grabber.capture(obs::CaptureTarget::forSource(slot)).wait(cancel, std::chrono::seconds(5));
		REQUIRE(frame);
		grabber.shutdown();
		return std::move(*frame);
	}
	// The first frame the slot draws with the clip's picture at (x, y). "Playing" is the media state; the video
	// frame reaches the slot a moment later (much later on a loaded machine): wait for it, never a fixed time.
	obs::RawFrame captureDrawn(int x, int y)
	{
		obs::RawFrame f;
		bool drawn = waitFor(
			[&] {
				f = capture();
				return at(f, x, y).a == 255;
			},
			10000);
		INFO("no clip frame drawn at " << x << "," << y << " within 10 s");
		REQUIRE(drawn);
		return f;
	}
};

} // namespace

TEST_CASE("a slot draws the clip at its own size: letterboxed, or filling", "[obs][slot]")
{
	headlessObs().resetVideo(1280, 720);
	SECTION("same shape: the clip fills the slot exactly")
	{
		SlotScene s("Slot exact", 640, 360);
		REQUIRE(obs::playInSlot(s.slot, splitClip(), core::Playback::Hold));
		REQUIRE(waitFor([&] { return s.state() == OBS_MEDIA_STATE_PLAYING; }, 5000));
		auto f = s.captureDrawn(320, 180);
		REQUIRE(f.width == 640);
		REQUIRE(f.height == 360);
		CHECK(isRed(at(f, 20, 180)));
		CHECK(isRed(at(f, 300, 20)));
		CHECK(isBlue(at(f, 340, 340)));
		CHECK(isBlue(at(f, 620, 180)));
	}
	SECTION("square slot, letterbox: bars above and below stay transparent")
	{
		SlotScene s("Slot letterbox", 400, 400);
		REQUIRE(obs::playInSlot(s.slot, splitClip(), core::Playback::Hold));
		REQUIRE(waitFor([&] { return s.state() == OBS_MEDIA_STATE_PLAYING; }, 5000));
		auto f = s.captureDrawn(200, 200);
		REQUIRE(f.width == 400);
		CHECK(at(f, 200, 20).a == 0);   // top bar: (400 - 225) / 2 = 87 rows
		CHECK(at(f, 200, 380).a == 0);  // bottom bar
		CHECK(isRed(at(f, 50, 200)));   // left half of the clip
		CHECK(isBlue(at(f, 350, 200))); // right half
	}
	SECTION("square slot, fill: no bars, the sides are cropped")
	{
		SlotScene s("Slot fill", 400, 400, "fill");
		REQUIRE(obs::playInSlot(s.slot, splitClip(), core::Playback::Hold));
		REQUIRE(waitFor([&] { return s.state() == OBS_MEDIA_STATE_PLAYING; }, 5000));
		auto f = s.captureDrawn(200, 200);
		CHECK(isRed(at(f, 100, 10)));
		CHECK(isBlue(at(f, 300, 390)));
		CHECK(at(f, 10, 10).a == 255);
	}
}

TEST_CASE("playback policies: once goes idle, hold keeps the last frame, loop keeps playing", "[obs][slot]")
{
	headlessObs().resetVideo(1280, 720);
	{
		SlotScene once("Slot once", 320, 180);
		REQUIRE(obs::playInSlot(once.slot, splitClip(), core::Playback::Once));
		REQUIRE(waitFor([&] { return once.state() == OBS_MEDIA_STATE_PLAYING; }, 5000));
		REQUIRE(waitFor([&] { return once.state() == OBS_MEDIA_STATE_ENDED; }, 8000));
		// Idle: transparent. The slot clears on its next video tick after the end, not at the same instant.
		CHECK(waitFor(
			[&] {
				auto f = once.capture();
				return at(f, 80, 90).a == 0 && at(f, 240, 90).a == 0;
			},
			5000));
	}
	{
		SlotScene hold("Slot hold", 320, 180);
		REQUIRE(obs::playInSlot(hold.slot, splitClip(), core::Playback::Hold));
		REQUIRE(waitFor([&] { return hold.state() == OBS_MEDIA_STATE_ENDED; }, 8000));
		std::this_thread::sleep_for(std::chrono::milliseconds(200));
		auto f = hold.capture();
		CHECK(isRed(at(f, 80, 90))); // the last frame stays
		CHECK(isBlue(at(f, 240, 90)));
	}
	{
		SlotScene idleHold("Slot idle hold", 320, 180, "letterbox", "hold");
		REQUIRE(obs::playInSlot(idleHold.slot, splitClip(), core::Playback::Once));
		REQUIRE(waitFor([&] { return idleHold.state() == OBS_MEDIA_STATE_ENDED; }, 8000));
		std::this_thread::sleep_for(std::chrono::milliseconds(200));
		CHECK(isRed(at(idleHold.capture(), 80, 90))); // "once" with "hold when idle"
	}
	{
		SlotScene loop("Slot loop", 320, 180);
		REQUIRE(obs::playInSlot(loop.slot, splitClip(), core::Playback::Loop));
		REQUIRE(waitFor([&] { return loop.state() == OBS_MEDIA_STATE_PLAYING; }, 5000));
		std::this_thread::sleep_for(std::chrono::milliseconds(3000)); // longer than the clip
		CHECK(loop.state() == OBS_MEDIA_STATE_PLAYING);
		CHECK(isRed(at(loop.capture(), 80, 90)));
	}
}

TEST_CASE("the clip's audio comes out of the slot", "[obs][slot][audio]")
{
	headlessObs().resetVideo(1280, 720);
	SlotScene s("Slot audio", 320, 180);
	std::atomic<double> peak{0};
	auto callback = [](void *param, obs_source_t *, const audio_data *audio, bool muted) {
		auto *peakPtr = static_cast<std::atomic<double> *>(param);
		if (muted || !audio->data[0])
			return;
		const float *samples = reinterpret_cast<const float *>(audio->data[0]);
		double p = peakPtr->load();
		for (uint32_t i = 0; i < audio->frames; ++i)
			p = std::max(p, static_cast<double>(std::fabs(samples[i])));
		peakPtr->store(p);
	};
	obs_source_add_audio_capture_callback(s.slot, callback, &peak);
	REQUIRE(obs::playInSlot(s.slot, splitClip(), core::Playback::Hold));
	REQUIRE(waitFor([&] { return s.state() == OBS_MEDIA_STATE_PLAYING; }, 5000));
	CHECK(waitFor([&] { return peak.load() > 0.05; }, 3000)); // a 440 Hz tone, not silence
	obs_source_remove_audio_capture_callback(s.slot, callback, &peak);
	INFO("peak sample " << peak.load());
	CHECK(obs_source_get_audio_mixers(s.slot) != 0);
}

TEST_CASE("media controls on the slot drive its player", "[obs][slot][media]")
{
	headlessObs().resetVideo(1280, 720);
	SlotScene s("Slot media", 320, 180);
	REQUIRE(obs::playInSlot(s.slot, splitClip(), core::Playback::Loop));
	REQUIRE(waitFor([&] { return s.state() == OBS_MEDIA_STATE_PLAYING; }, 5000));
	CHECK(waitFor([&] { return obs_source_media_get_duration(s.slot) >= 1900; }, 3000));
	obs_source_media_play_pause(s.slot, true);
	CHECK(waitFor([&] { return s.state() == OBS_MEDIA_STATE_PAUSED; }, 2000));
	obs_source_media_play_pause(s.slot, false);
	CHECK(waitFor([&] { return s.state() == OBS_MEDIA_STATE_PLAYING; }, 2000));
	obs_source_media_stop(s.slot);
	CHECK(waitFor([&] { return s.state() == OBS_MEDIA_STATE_STOPPED; }, 2000));
	obs_source_media_restart(s.slot);
	CHECK(waitFor([&] { return s.state() == OBS_MEDIA_STATE_PLAYING; }, 2000));
	CHECK_FALSE(obs::playInSlot(nullptr, splitClip(), core::Playback::Once));
}

TEST_CASE("a job targeting a slot ends playing in it; a slot removed meanwhile ends in the library",
	  "[obs][slot][runner]")
{
	headlessObs().resetVideo(1280, 720);
	registerOnce();
	Emulator emu;
	emu.scenario({{"queue_seconds", 0.2}, {"generate_seconds", 0.5}});
	TempDir dir;
	core::HttpEngine engine;
	obs::FrameGrabber grabber;
	obs::ObsFrameProvider frames(grabber);
	OBSSceneAutoRelease program = obs_scene_create("Slot program");
	obs::ClipInserter inserter([&] { return OBSSource(obs_scene_get_source(program)); });
	auto backdrop = makeColorSource("slot backdrop", 0xFF20A0F0, 1280, 720);
	obs_scene_add(program, backdrop);
	SlotScene s("Slot for jobs", 640, 360);
	obs_scene_add(program, s.slot);
	obs_set_output_source(0, obs_scene_get_source(program));
	headlessObs().waitFrames(4);

	core::RunnerConfig c;
	c.client.baseUrl = emu.baseUrl();
	c.client.apiKey = Emulator::kKey;
	c.poll = fastPoll();
	c.clipFolder = dir.file("clips");
	c.dataFolder = dir.file("config");
	core::JobRunner runner(c, engine, &frames, &inserter);
	REQUIRE_FALSE(runner.start());

	core::JobSpec spec;
	spec.request.prompt = "play in the slot";
	spec.request.resolution = "480p";
	spec.target.kind = core::JobTarget::Kind::Slot;
	spec.target.name = "Slot for jobs";
	spec.playback = core::Playback::Hold;
	auto id = runner.submit(spec);
	REQUIRE(id);
	REQUIRE(waitFor([&] { return core::isTerminal(runner.job(*id)->state); }, 30000));
	core::Job done = *runner.job(*id);
	CHECK(done.state == core::JobState::Completed);
	CHECK(done.inserted);
	CHECK(done.sourceName == "Slot for jobs");
	REQUIRE(waitFor([&] { return s.state() == OBS_MEDIA_STATE_PLAYING || s.state() == OBS_MEDIA_STATE_ENDED; },
			5000));
	auto journal = core::parseJournal(*core::readFile(dir.file("config/jobs.json"), 1 << 20));
	REQUIRE(journal);
	CHECK(journal->front().target.kind == core::JobTarget::Kind::Slot);
	CHECK(journal->front().target.name == "Slot for jobs");

	// Replayed from the job list: the same clip plays in the slot again.
	REQUIRE(waitFor([&] { return s.state() == OBS_MEDIA_STATE_ENDED; }, 8000));
	CHECK_FALSE(runner.addToScene(*id, spec.target, core::Playback::Hold));
	CHECK(waitFor([&] { return s.state() == OBS_MEDIA_STATE_PLAYING; }, 5000));

	// The slot goes while the next job generates: the clip lands in the library, and the job says why.
	emu.scenario({{"progress_mode", "stall"}});
	spec.request.prompt = "slot removed meanwhile";
	auto second = runner.submit(spec);
	REQUIRE(second);
	REQUIRE(waitFor([&] { return runner.job(*second)->state == core::JobState::Generating; }, 20000));
	OBSSourceAutoRelease doomed = obs_get_source_by_name("Slot for jobs");
	obs_source_remove(doomed);
	emu.admin("POST", "/_emu/tasks/" + runner.job(*second)->taskId + "/complete", nlohmann::json::object());
	REQUIRE(waitFor([&] { return core::isTerminal(runner.job(*second)->state); }, 30000));
	core::Job orphan = *runner.job(*second);
	CHECK(orphan.state == core::JobState::Completed);
	CHECK_FALSE(orphan.inserted);
	CHECK(orphan.notice.key == "Notice.SlotGone");
	CHECK(core::fileExists(orphan.clipPath));
	runner.shutdown();
	grabber.shutdown();
	inserter.shutdown();
	obs_set_output_source(0, nullptr);
	obs_source_remove(backdrop);
	obs_source_remove(obs_scene_get_source(program));
}
