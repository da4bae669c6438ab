// The create body for each documented example (reference §3, §8): field names and placement exactly.
#include "test-framework.hpp"

#include "core/generation-request.hpp"

#include <nlohmann/json.hpp>

using namespace seedance::core;
using nlohmann::json;

TEST_CASE("1.5 Pro first + last frame example from the reference", "[request][json]")
{
	GenerationRequest r;
	r.model = "doubao-seedance-1-5-pro";
	r.prompt = "A girl spins beneath cherry blossoms and slowly comes to a stop at the end";
	r.firstFrameUrl = "https://example.com/first.png";
	r.lastFrameUrl = "https://example.com/last.png";
	r.duration = 5;
	r.aspectRatio = "9:16";
	r.resolution = "720p";
	r.audio = true;
	json body = buildCreateBody(r, *ModelCatalog::builtin().find(r.model));
	json expected = json::parse(R"({"model": "doubao-seedance-1-5-pro",
 "prompt": "A girl spins beneath cherry blossoms and slowly comes to a stop at the end",
 "image_with_roles": [
   {"url": "https://example.com/first.png", "role": "first_frame"},
   {"url": "https://example.com/last.png",  "role": "last_frame"}],
 "duration": 5, "aspect_ratio": "9:16",
 "metadata": {"resolution": "720p", "audio": true}})");
	CHECK(body == expected);
	CHECK_FALSE(body.contains("image_urls"));
}

TEST_CASE("1.5 Pro text-only example: defaults are stated, no image field", "[request][json]")
{
	GenerationRequest r;
	r.prompt = "...";
	r.audio = true;
	json body = buildCreateBody(r, *ModelCatalog::builtin().find(r.model));
	CHECK(body ==
	      json::parse(
		      R"({"model":"doubao-seedance-1-5-pro","prompt":"...","duration":5,"aspect_ratio":"16:9","metadata":{"resolution":"720p","audio":true}})"));
}

TEST_CASE("1.5 Pro seed and camerafixed go into metadata with the documented spelling", "[request][json]")
{
	GenerationRequest r;
	r.prompt = "p";
	r.seed = 42;
	r.cameraFixed = true;
	r.firstFrameUrl = "https://x/f.jpg";
	json body = buildCreateBody(r, *ModelCatalog::builtin().find(r.model));
	CHECK(body["metadata"]["seed"] == 42);
	CHECK(body["metadata"]["camerafixed"] == true);
	CHECK_FALSE(body["metadata"].contains("camera_fixed"));
	CHECK(body["image_with_roles"] == json::parse(R"([{"url":"https://x/f.jpg","role":"first_frame"}])"));
	CHECK(body["image_with_roles"][0]["url"].is_string()); // plain strings (reference §9 #18)
}

TEST_CASE("1.0 Pro puts resolution at the top level and the seed in metadata", "[request][json]")
{
	GenerationRequest r;
	r.model = "doubao-seedance-1-0-pro-quality";
	r.prompt = "p";
	r.resolution = "1080p";
	r.seed = 7;
	r.duration = 2;
	r.firstFrameUrl = "https://x/a.jpg";
	r.lastFrameUrl = "https://x/b.jpg";
	json body = buildCreateBody(r, *ModelCatalog::builtin().find(r.model));
	CHECK(body["resolution"] == "1080p");
	CHECK_FALSE((body.contains("metadata") && body["metadata"].contains("resolution")));
	CHECK(body["metadata"]["seed"] == 7);
	CHECK(body["duration"] == 2);
	CHECK(body["image_with_roles"].size() == 2);
}

TEST_CASE("Seedance 2 puts resolution, audio and seed at the top level", "[request][json]")
{
	GenerationRequest r;
	r.model = "seedance-2";
	r.prompt = "p";
	r.resolution = "4k";
	r.audio = false;
	r.seed = 1;
	r.duration = -1;
	json body = buildCreateBody(r, *ModelCatalog::builtin().find(r.model));
	CHECK(body["resolution"] == "4k");
	CHECK(body["generate_audio"] == false);
	CHECK(body["seed"] == 1);
	CHECK(body["duration"] == -1);
	CHECK_FALSE(body.contains("metadata"));
}
