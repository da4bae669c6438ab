// Clip insertion in real libobs with obs-ffmpeg: the Media Source, its settings and bounds, the playback policies,
// and the fallback when the target scene is gone.
#include "test-framework.hpp"

#include "headless-obs.hpp"

#include "obs/clip-inserter.hpp"

#include <chrono>
#include <cstdlib>
#include <future>
#include <thread>
#include <vector>

using namespace seedance;
using namespace seedance::test;

namespace {

// A real 1.5 s MP4 with a tone, made once per process with ffmpeg.
const std::string &testClip()
{
	static const std::string path =
		makeTestClip(std::string(SEEDANCE_TEST_ARTIFACTS) + "/inserter-clip.mp4",
			     "-f lavfi -i testsrc=duration=1.5:size=320x180:rate=25 -f lavfi -i "
			     "sine=frequency=440:duration=1.5 -c:v libx264 -pix_fmt yuv420p -c:a aac -shortest");
	return path;
}

core::Job clipJob(const std::string &scene, core::Playback playback, const std::string &prompt = "a fox jumps high")
{
	core::Job j;
	j.id = "job_test";
	j.request.prompt = prompt;
	j.clipPath = testClip();
	j.target.kind = core::JobTarget::Kind::Scene;
	j.target.name = scene;
	j.playback = playback;
	return j;
}

obs_sceneitem_t *topItem(obs_scene_t *scene)
{
	struct Top {
		obs_sceneitem_t *item = nullptr;
	} top;
	obs_scene_enum_items(
		scene,
		[](obs_scene_t *, obs_sceneitem_t *item, void *data) {
			static_cast<Top *>(data)->item = item; // enumeration goes bottom to top
			return true;
		},
		&top);
	return top.item;
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

struct Scenes {
	OBSSceneAutoRelease current = obs_scene_create("Current");
	OBSSceneAutoRelease target = obs_scene_create("Target");
	~Scenes()
	{
		obs_set_output_source(0, nullptr);
		headlessObs().drainUi();
		for (obs_scene_t *s : {current.Get(), target.Get()}) {
			// Collected first, removed after the enumeration: removing inside it releases a media source's last
			// reference while the scene's lock is held, and its destruction then waits on threads that wait on
			// that lock (a deadlock seen in about 1 run in 3 on a loaded machine).
			std::vector<obs_sceneitem_t *> items;
			obs_scene_enum_items(
				s,
				[](obs_scene_t *, obs_sceneitem_t *item, void *param) {
					obs_sceneitem_addref(item);
					static_cast<std::vector<obs_sceneitem_t *> *>(param)->push_back(item);
					return true;
				},
				&items);
			for (obs_sceneitem_t *item : items) {
				obs_sceneitem_remove(item);
				obs_sceneitem_release(item);
			}
			obs_source_remove(obs_scene_get_source(s));
		}
	}
};

} // namespace

TEST_CASE("the clip becomes a fitted ffmpeg_source on top of the target scene", "[obs][insert]")
{
	headlessObs().resetVideo(1920, 1080);
	Scenes scenes;
	auto filler = makeColorSource("filler", 0xFF00FF00, 100, 100);
	obs_scene_add(scenes.target, filler);
	obs::ClipInserter inserter([&] { return OBSSource(obs_scene_get_source(scenes.current)); });

	core::InsertResult r;
	headlessObs().runOnUi([&] { r = inserter.insertNow(clipJob("Target", core::Playback::Hold)); });
	REQUIRE_FALSE(r.error);
	CHECK(r.sceneName == "Target");
	CHECK(r.sourceName == "Seedance: a fox jumps high");
	CHECK(r.notice.empty());

	obs_sceneitem_t *item = topItem(scenes.target);
	REQUIRE(item);
	obs_source_t *src = obs_sceneitem_get_source(item);
	CHECK(std::string(obs_source_get_id(src)) == "ffmpeg_source");
	CHECK(std::string(obs_source_get_name(src)) == r.sourceName);
	OBSDataAutoRelease s = obs_source_get_settings(src);
	CHECK(obs_data_get_bool(s, "is_local_file"));
	CHECK(std::string(obs_data_get_string(s, "local_file")) == testClip());
	CHECK_FALSE(obs_data_get_bool(s, "looping"));
	CHECK(obs_data_get_bool(s, "close_when_inactive"));
	CHECK(obs_data_get_bool(s, "restart_on_activate"));
	CHECK_FALSE(obs_data_get_bool(s, "clear_on_media_end")); // hold: the last frame stays

	CHECK(obs_sceneitem_get_bounds_type(item) == OBS_BOUNDS_SCALE_INNER);
	CHECK(obs_sceneitem_get_bounds_alignment(item) == OBS_ALIGN_CENTER);
	vec2 bounds, pos;
	obs_sceneitem_get_bounds(item, &bounds);
	obs_sceneitem_get_pos(item, &pos);
	CHECK(bounds.x == 1920.0f);
	CHECK(bounds.y == 1080.0f);
	CHECK(pos.x == 0.0f);
	CHECK(pos.y == 0.0f);
	CHECK(topItem(scenes.current) == nullptr); // nothing in the other scene

	// A second clip with the same prompt gets its own name.
	headlessObs().runOnUi([&] { r = inserter.insertNow(clipJob("Target", core::Playback::Loop)); });
	CHECK(r.sourceName == "Seedance: a fox jumps high (2)");
	OBSDataAutoRelease loop = obs_source_get_settings(obs_sceneitem_get_source(topItem(scenes.target)));
	CHECK(obs_data_get_bool(loop, "looping"));
	obs_source_remove(filler);
	inserter.shutdown();
}

TEST_CASE("play once: the item is removed when the clip ends", "[obs][insert]")
{
	Scenes scenes;
	obs::ClipInserter inserter([&] { return OBSSource(obs_scene_get_source(scenes.current)); });
	obs_set_output_source(0, obs_scene_get_source(scenes.target)); // on air: the media plays

	std::promise<core::InsertResult> inserted;
	inserter.insert(clipJob("Target", core::Playback::Once), [&](core::InsertResult r) { inserted.set_value(r); });
	auto r = inserted.get_future().get();
	REQUIRE_FALSE(r.error);
	REQUIRE(topItem(scenes.target));
	OBSDataAutoRelease s = obs_source_get_settings(obs_sceneitem_get_source(topItem(scenes.target)));
	CHECK(obs_data_get_bool(s, "clear_on_media_end"));
	// 1.5 s of clip, then media_ended → UI thread → removed.
	CHECK(waitFor([&] { return topItem(scenes.target) == nullptr; }, 10000));
	OBSSourceAutoRelease gone = obs_get_source_by_name(r.sourceName.c_str());
	CHECK_FALSE(gone);
	inserter.shutdown();
}

TEST_CASE("hold and loop keep the item after the clip's length", "[obs][insert]")
{
	Scenes scenes;
	obs::ClipInserter inserter([&] { return OBSSource(obs_scene_get_source(scenes.current)); });
	obs_set_output_source(0, obs_scene_get_source(scenes.target));
	core::InsertResult hold, loop;
	headlessObs().runOnUi([&] {
		hold = inserter.insertNow(clipJob("Target", core::Playback::Hold, "hold it"));
		loop = inserter.insertNow(clipJob("Target", core::Playback::Loop, "loop it"));
	});
	std::this_thread::sleep_for(std::chrono::milliseconds(3000));
	OBSSourceAutoRelease h = obs_get_source_by_name(hold.sourceName.c_str());
	OBSSourceAutoRelease l = obs_get_source_by_name(loop.sourceName.c_str());
	CHECK(h);
	CHECK(l);
	if (l)
		CHECK(obs_source_media_get_state(l) == OBS_MEDIA_STATE_PLAYING);
	inserter.shutdown();
}

TEST_CASE("a deleted target scene falls back to the current scene and says so", "[obs][insert]")
{
	Scenes scenes;
	obs::ClipInserter inserter([&] { return OBSSource(obs_scene_get_source(scenes.current)); });
	core::InsertResult r;
	headlessObs().runOnUi([&] { r = inserter.insertNow(clipJob("Deleted Scene", core::Playback::Hold)); });
	REQUIRE_FALSE(r.error);
	CHECK(r.sceneName == "Current");
	CHECK(r.notice.key == "Notice.FellBack");
	CHECK(r.notice.args.at("scene") == "Deleted Scene");
	CHECK(r.notice.text().find("Current") != std::string::npos);
	CHECK(topItem(scenes.current) != nullptr);

	// No target name at all: the current scene, without a notice.
	headlessObs().runOnUi([&] { r = inserter.insertNow(clipJob("", core::Playback::Hold, "plain")); });
	CHECK(r.sceneName == "Current");
	CHECK(r.notice.empty());
	inserter.shutdown();
}

TEST_CASE("after shutdown, insertions are refused and nothing is touched", "[obs][insert]")
{
	Scenes scenes;
	obs::ClipInserter inserter([&] { return OBSSource(obs_scene_get_source(scenes.current)); });
	inserter.shutdown();
	std::promise<core::InsertResult> result;
	inserter.insert(clipJob("Target", core::Playback::Once), [&](core::InsertResult r) { result.set_value(r); });
	auto r = result.get_future().get();
	CHECK(r.error.messageKey == "Error.Insert.Stopped");
	CHECK(topItem(scenes.target) == nullptr);
}
