// The one spec builder: defaults fill the gaps, choices are never overridden, and a websocket Generate request
// gives the same JobSpec as the same choices made in the dock or a Clip source.
#include "test-framework.hpp"

#include "core/job/job-spec.hpp"

#include <nlohmann/json.hpp>

#include <sstream>

using namespace seedance;
using core::JobTarget;
using nlohmann::json;

namespace {

std::string describe(const core::JobSpec &s)
{
	const auto &r = s.request;
	auto opt = [](const auto &v) {
		std::ostringstream o;
		if (v)
			o << *v;
		else
			o << "-";
		return o.str();
	};
	std::ostringstream o;
	o << r.model << "|" << r.prompt << "|" << opt(r.duration) << "|" << opt(r.aspectRatio) << "|"
	  << opt(r.resolution) << "|" << opt(r.audio) << "|" << opt(r.seed) << "|" << opt(r.cameraFixed) << "|"
	  << core::playbackName(s.playback) << "|" << s.firstFrame.source << "|" << s.firstFrame.file << "|"
	  << (s.lastFrame ? s.lastFrame->source + "/" + s.lastFrame->file : "-") << "|"
	  << static_cast<int>(s.target.kind) << ":" << s.target.name;
	return o.str();
}

} // namespace

TEST_CASE("a websocket request and the same choices made elsewhere give the same JobSpec", "[job-spec]")
{
	core::SpecDefaults defaults; // 1.5 Pro, 5 s, canvas, 720p, no audio, once
	defaults.audio = true;

	// A Clip source or the dock sets every control; a websocket client names the same values.
	core::SpecChoices dock;
	dock.prompt = "the goal replays in slow motion";
	dock.model = "doubao-seedance-1-5-pro";
	dock.duration = 8;
	dock.aspectRatio = "9:16";
	dock.resolution = "1080p";
	dock.audio = false;
	dock.playback = "hold";
	dock.firstFrame.source = "Camera";
	dock.lastFrame = core::FrameChoice{"", "/frames/end.png"};
	dock.target = {JobTarget::Kind::Slot, "Replay slot"};
	auto fromDock = core::buildJobSpec(defaults, dock);
	REQUIRE(fromDock);

	auto choices = core::choicesFromGenerateRequest({{"prompt", "the goal replays in slow motion"},
							 {"model", "doubao-seedance-1-5-pro"},
							 {"duration", 8.0}, // JSON numbers may arrive as 8.0
							 {"aspect_ratio", "9:16"},
							 {"resolution", "1080p"},
							 {"audio", false},
							 {"playback", "hold"},
							 {"frame_source", "Camera"},
							 {"last_frame_file", "/frames/end.png"},
							 {"slot", "Replay slot"}});
	REQUIRE(choices);
	auto fromWs = core::buildJobSpec(defaults, *choices);
	REQUIRE(fromWs);
	CHECK(describe(*fromWs) == describe(*fromDock));

	// Left out, the same defaults apply to both.
	core::SpecChoices bare;
	bare.prompt = "p";
	auto fromBare = core::buildJobSpec(defaults, bare);
	auto wsBare = core::choicesFromGenerateRequest({{"prompt", "p"}});
	REQUIRE(wsBare);
	auto fromWsBare = core::buildJobSpec(defaults, *wsBare);
	REQUIRE(fromBare);
	REQUIRE(fromWsBare);
	CHECK(describe(*fromWsBare) == describe(*fromBare));
	CHECK(describe(*fromBare) == "doubao-seedance-1-5-pro|p|5|canvas|720p|1|-|-|once|||-|0:");
}

TEST_CASE("a default the model does not offer gives way; a choice is refused with what the model allows", "[job-spec]")
{
	core::SpecDefaults defaults;
	defaults.resolution = "1080p"; // chosen in the dock for 1.5 Pro
	defaults.duration = 15;        // ... or for Seedance 2
	core::SpecChoices c;
	c.prompt = "p";
	c.model = "seedance-2-fast"; // 480p and 720p only
	auto spec = core::buildJobSpec(defaults, c);
	REQUIRE(spec);
	CHECK(spec->request.resolution == "720p");
	CHECK(spec->request.duration == 15); // Seedance 2 Fast takes 4–15 s

	c.model = "doubao-seedance-1-5-pro"; // 4–12 s
	spec = core::buildJobSpec(defaults, c);
	REQUIRE(spec);
	CHECK(spec->request.duration == 5);
	CHECK(spec->request.resolution == "1080p");

	c.model = "seedance-2-fast";
	c.resolution = "1080p";
	auto refused = core::buildJobSpec(defaults, c);
	REQUIRE_FALSE(refused);
	CHECK(refused.error().messageKey == "Error.Invalid.Resolution");
	CHECK(core::userMessage(refused.error()).find("480p") != std::string::npos);
}

TEST_CASE("audio follows the default only for models that make sound", "[job-spec]")
{
	core::SpecDefaults defaults;
	defaults.audio = true;
	core::SpecChoices c;
	c.prompt = "p";
	c.model = "doubao-seedance-1-0-pro-fast"; // silent
	auto silent = core::buildJobSpec(defaults, c);
	REQUIRE(silent);
	CHECK_FALSE(silent->request.audio.has_value());
	c.model = "seedance-2";
	auto loud = core::buildJobSpec(defaults, c);
	REQUIRE(loud);
	CHECK(loud->request.audio == true);
	c.model = "doubao-seedance-1-0-pro-fast";
	c.audio = true; // chosen for a silent model: refused, not dropped
	auto refused = core::buildJobSpec(defaults, c);
	REQUIRE_FALSE(refused);
	CHECK(refused.error().messageKey == "Error.Invalid.Unsupported");
}

TEST_CASE("bad choices are refused before anything is captured", "[job-spec]")
{
	core::SpecDefaults defaults;
	core::SpecChoices c;
	c.prompt = "p";
	c.playback = "twice";
	auto r = core::buildJobSpec(defaults, c);
	REQUIRE_FALSE(r);
	CHECK(r.error().messageKey == "Error.Ws.Playback");

	c.playback.reset();
	c.target = {JobTarget::Kind::Slot, ""};
	r = core::buildJobSpec(defaults, c);
	REQUIRE_FALSE(r);
	CHECK(r.error().messageKey == "Error.Invalid.Slot");

	c.target = {};
	c.prompt.clear();
	r = core::buildJobSpec(defaults, c);
	REQUIRE_FALSE(r);
	CHECK(r.error().messageKey == "Error.Invalid.PromptEmpty");

	c.prompt = "p";
	c.model = "doubao-seedance-1-0-pro-fast"; // no last frame
	c.lastFrame = core::FrameChoice{"Camera", ""};
	r = core::buildJobSpec(defaults, c);
	REQUIRE_FALSE(r);
	CHECK(r.error().messageKey == "Error.Invalid.LastFrame");
}

TEST_CASE("the websocket request's fields: unknown, mistyped, missing and doubled are named", "[job-spec]")
{
	auto key = [](const json &req) {
		auto c = core::choicesFromGenerateRequest(req);
		return c ? std::string("ok") : c.error().messageKey;
	};
	CHECK(key(json::array()) == "Error.Ws.NotObject");
	CHECK(key({{"prompt", "p"}, {"colour", "red"}}) == "Error.Ws.UnknownField");
	CHECK(key({{"prompt", "p"}, {"duration", 5.5}}) == "Error.Ws.FieldType");
	CHECK(key({{"prompt", "p"}, {"audio", "yes"}}) == "Error.Ws.FieldType");
	CHECK(key({{"duration", 5}}) == "Error.Ws.Missing");
	CHECK(key({{"prompt", "p"}, {"last_frame_source", "a"}, {"last_frame_file", "b"}}) == "Error.Ws.OneLastFrame");
	CHECK(key({{"prompt", "p"}, {"seed", 42}, {"camera_fixed", true}}) == "ok");

	auto library = core::choicesFromGenerateRequest({{"prompt", "p"}, {"scene", ""}});
	REQUIRE(library);
	CHECK(library->target.kind == JobTarget::Kind::Library);
	auto scene = core::choicesFromGenerateRequest({{"prompt", "p"}, {"scene", "Intermission"}});
	REQUIRE(scene);
	CHECK(scene->target.kind == JobTarget::Kind::Scene);
	CHECK(scene->target.name == "Intermission");
}
