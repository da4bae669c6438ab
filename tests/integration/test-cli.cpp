// obs-seedance-cli end to end against the emulator: byte-identical clips, requests per the reference, exit codes,
// and the key never printed, errors included.
#include "test-framework.hpp"

#include "emulator.hpp"
#include "png.hpp"

#include "core/file-util.hpp"

#include <array>
#include <cstdio>
#include <fstream>
#include <map>
#include <sys/wait.h>

using namespace seedance::test;
using nlohmann::json;

namespace {

struct Run {
	int exitCode = -1;
	std::string out;
	std::string err;
};

// Runs the CLI with the given arguments and environment (key and base URL from `emu` unless overridden).
Run cli(const std::vector<std::string> &args, std::map<std::string, std::string> env)
{
	TempDir io;
	std::string command;
	for (const auto &[k, v] : env)
		command += k + "='" + v + "' ";
	command += std::string("'") + SEEDANCE_CLI + "'";
	for (const auto &a : args) {
		std::string quoted;
		for (char c : a)
			quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
		command += " '" + quoted + "'";
	}
	command += " >" + io.file("out") + " 2>" + io.file("err") + " </dev/null";
	int status = std::system(("env -u TOAPIS_API_KEY -u TOAPIS_BASE_URL " + command).c_str());
	Run r;
	r.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	r.out = readAll(io.file("out"));
	r.err = readAll(io.file("err"));
	return r;
}

std::map<std::string, std::string> envFor(Emulator &emu)
{
	return {{"TOAPIS_API_KEY", Emulator::kKey},
		{"TOAPIS_BASE_URL", emu.baseUrl()},
		{"SEEDANCE_POLL_SCALE", "0.04"},
		{"LANG", "C"}};
}

void requireNoKey(const Run &r)
{
	INFO("stdout: " << r.out << "\nstderr: " << r.err);
	CHECK(r.out.find(Emulator::kKey) == std::string::npos);
	CHECK(r.err.find(Emulator::kKey) == std::string::npos);
	CHECK(r.err.find("sig=") == std::string::npos); // signed URL query strings are not printed either
}

} // namespace

TEST_CASE("cli generate writes the served MP4 byte for byte; requests follow the reference", "[cli]")
{
	Emulator emu;
	emu.scenario({{"queue_seconds", 0.2}, {"generate_seconds", 0.8}});
	TempDir dir;
	std::string first = dir.file("first.png"), last = dir.file("last.png"), out = dir.file("clip.mp4");
	std::ofstream(first, std::ios::binary) << solidPng(960, 540, 255, 0, 0);
	std::ofstream(last, std::ios::binary) << solidPng(960, 540, 0, 0, 255);

	Run r = cli({"generate",
		     "--prompt",
		     "a red screen turns blue",
		     "--first-frame",
		     first,
		     "--last-frame",
		     last,
		     "--duration",
		     "6",
		     "--aspect-ratio",
		     "9:16",
		     "--resolution",
		     "1080p",
		     "--audio",
		     "--seed",
		     "42",
		     "--camera-fixed",
		     "--output",
		     out,
		     "--verbose"},
		    envFor(emu));
	INFO(r.err);
	REQUIRE(r.exitCode == 0);
	std::string taskId = r.out.substr(0, r.out.find('\n'));
	REQUIRE_FALSE(taskId.empty());
	json task = emu.task(taskId);
	CHECK(sha256Hex(readAll(out)) == task["sha256"]);
	CHECK_FALSE(seedance::core::fileExists(out + ".part"));
	requireNoKey(r);

	auto uploads = emu.requestsTo("upload");
	REQUIRE(uploads.size() == 2);
	for (const auto &u : uploads) {
		CHECK(u["method"] == "POST");
		CHECK(u["path"] == "/v1/uploads/images");
		bool hasFile = false;
		for (const auto &part : u["multipart"])
			hasFile |= part["name"] == "file" && part["size"].get<int>() > 0;
		CHECK(hasFile);
	}
	CHECK(uploads[0]["multipart"][1]["sha256"] == sha256Hex(readAll(first)));

	auto creates = emu.requestsTo("create");
	REQUIRE(creates.size() == 1);
	json body = creates[0]["json"];
	CHECK(body ==
	      json::parse(R"({"model":"doubao-seedance-1-5-pro","prompt":"a red screen turns blue",
	    "duration":6,"aspect_ratio":"9:16",
	    "metadata":{"resolution":"1080p","audio":true,"seed":42,"camerafixed":true},
	    "image_with_roles":[{"url":")" +
			  body["image_with_roles"][0]["url"].get<std::string>() +
			  R"(","role":"first_frame"},{"url":")" +
			  body["image_with_roles"][1]["url"].get<std::string>() + R"(","role":"last_frame"}]})"));
	CHECK(body["image_with_roles"][0]["url"].get<std::string>().find("/files/uploads/") != std::string::npos);
}

TEST_CASE("cli validation fails with exit 2 before anything is sent", "[cli]")
{
	Emulator emu;
	TempDir dir;
	Run r = cli({"generate", "--prompt", "x", "--duration", "3", "--output", dir.file("a.mp4")}, envFor(emu));
	CHECK(r.exitCode == 2);
	CHECK(r.err.find("Duration 3 s is not possible") != std::string::npos);
	CHECK(emu.requests().empty());

	std::string small = dir.file("small.png");
	std::ofstream(small, std::ios::binary) << solidPng(200, 200, 1, 1, 1);
	r = cli({"generate", "--prompt", "x", "--first-frame", small, "--output", dir.file("a.mp4")}, envFor(emu));
	CHECK(r.exitCode == 2);
	CHECK(r.err.find("200×200") != std::string::npos);
	CHECK(emu.requests().empty());

	r = cli({"generate", "--prompt", "x", "--api-key", "sk-leaked-on-argv-12345"}, envFor(emu));
	CHECK(r.exitCode == 2);
	CHECK(r.err.find("TOAPIS_API_KEY") != std::string::npos);

	auto noKey = envFor(emu);
	noKey.erase("TOAPIS_API_KEY");
	r = cli({"models"}, noKey);
	CHECK(r.exitCode == 0); // the catalog is local
	r = cli({"status", "task_x"}, noKey);
	CHECK(r.exitCode == 3);
	CHECK(r.err.find("TOAPIS_API_KEY") != std::string::npos);
	CHECK(emu.requests().empty());
}

TEST_CASE("cli exit codes per failure class, key never printed", "[cli]")
{
	Emulator emu;
	emu.scenario({{"queue_seconds", 0.1}, {"generate_seconds", 0.3}});
	TempDir dir;
	struct Case {
		const char *endpoint;
		json responses;
		int exitCode;
		const char *pollScale = "0.04";
	};
	json auth = {{"error",
		      {{"code", 401},
		       {"message", "Authentication failed, please check your API key"},
		       {"type", "authentication_error"}}}};
	std::vector<Case> cases = {
		{"create", json::array({{{"status", 401}, {"json", auth}}}), 3},
		{"create",
		 json::array({{{"status", 402},
			       {"json", {{"error", {{"code", "insufficient_quota"}, {"message", "low"}}}}}}}),
		 3},
		{"create",
		 json::array({{{"status", 422},
			       {"json", {{"error", {{"code", "content_policy_violation"}, {"message", "no"}}}}}}}),
		 4},
		{"create",
		 // A storm that outlasts the client's retries and the wait for the provider (3 s at this scale).
		 json::array({{{"status", 429},
			       {"repeat", 100000},
			       {"headers", {{"Retry-After", "0"}}},
			       {"json", {{"error", {{"code", "rate_limit_exceeded"}, {"message", "slow"}}}}}}}),
		 5, "0.01"},
		{"create", json::array({{{"status", 502}, {"body", "<html>bad gateway</html>"}}}), 1},
		{"query",
		 json::array({{{"status", 404},
			       {"json",
				{{"error",
				  {{"code", 404}, {"message", "Task not found"}, {"type", "not_found_error"}}}}}}}),
		 1},
	};
	int i = 0;
	for (const auto &c : cases) {
		INFO("case " << i << " " << c.responses.dump());
		emu.admin("DELETE", "/_emu/script");
		emu.script(c.endpoint, c.responses);
		auto env = envFor(emu);
		env["SEEDANCE_POLL_SCALE"] = c.pollScale;
		Run r = cli({"generate", "--prompt", "p", "--output", dir.file("c" + std::to_string(i++) + ".mp4"),
			     "--verbose"},
			    env);
		CHECK(r.exitCode == c.exitCode);
		CHECK(r.err.find("error: ") != std::string::npos);
		requireNoKey(r);
	}

	emu.admin("DELETE", "/_emu/script");
	emu.scenario({{"fail", {{"code", "generation_failed"}, {"message", "upstream exploded"}}}});
	Run failed = cli({"generate", "--prompt", "p", "--output", dir.file("f.mp4")}, envFor(emu));
	CHECK(failed.exitCode == 4);
	CHECK(failed.err.find("upstream exploded") != std::string::npos);
	requireNoKey(failed);

	emu.scenario({{"fail", nullptr}, {"url_expired", true}});
	Run expired = cli({"generate", "--prompt", "p", "--output", dir.file("e.mp4"), "--verbose"}, envFor(emu));
	CHECK(expired.exitCode == 1);
	CHECK(expired.err.find("expire") != std::string::npos);
	requireNoKey(expired);
	CHECK_FALSE(seedance::core::fileExists(dir.file("e.mp4")));

	Run refused = cli({"models"}, {{"TOAPIS_API_KEY", Emulator::kKey}, {"TOAPIS_BASE_URL", "http://127.0.0.1:9"}});
	CHECK(refused.exitCode == 0);
	Run down = cli({"status", "task_1", "--verbose"},
		       {{"TOAPIS_API_KEY", Emulator::kKey}, {"TOAPIS_BASE_URL", "http://127.0.0.1:9"}});
	CHECK(down.exitCode == 5);
	requireNoKey(down);

	CHECK(emu.log().find(Emulator::kKey) == std::string::npos);
}

TEST_CASE("cli status, download and upload", "[cli]")
{
	Emulator emu;
	emu.scenario({{"queue_seconds", 0.1}, {"generate_seconds", 0.2}});
	TempDir dir;
	std::string img = dir.file("f.png");
	std::ofstream(img, std::ios::binary) << solidPng(640, 640, 9, 9, 9);
	Run up = cli({"upload", img}, envFor(emu));
	REQUIRE(up.exitCode == 0);
	CHECK(up.out.rfind("http://127.0.0.1:", 0) == 0);

	Run gen = cli({"generate", "--prompt", "p", "--output", dir.file("a.mp4")}, envFor(emu));
	REQUIRE(gen.exitCode == 0);
	std::string id = gen.out.substr(0, gen.out.find('\n'));
	Run status = cli({"status", id}, envFor(emu));
	REQUIRE(status.exitCode == 0);
	json s = json::parse(status.out);
	CHECK(s["id"] == id);
	CHECK(s["state"] == "succeeded");
	CHECK(s["video_url"].get<std::string>().find("sig=") == std::string::npos);

	Run dl = cli({"download", id, "--output", dir.file("b.mp4")}, envFor(emu));
	REQUIRE(dl.exitCode == 0);
	CHECK(readAll(dir.file("a.mp4")) == readAll(dir.file("b.mp4")));
	Run again = cli({"download", id, "--output", dir.file("b.mp4")}, envFor(emu));
	CHECK(again.exitCode == 2); // never overwrites
	requireNoKey(dl);
}

TEST_CASE("cli generate waits out a submit the provider refuses for now, then submits once", "[cli][defer]")
{
	// The same deferral as the plugin's runner (runner/pipeline.hpp): a 429 storm that outlasts the client's own
	// retries, or the provider's submit limiter down (503 rate_limit_unavailable), created nothing, so waiting and
	// submitting again cannot bill twice.
	struct Case {
		const char *name;
		json refusal;
		size_t refused;
	};
	const std::vector<Case> cases = {
		{"429 storm",
		 {{"status", 429},
		  {"headers", {{"Retry-After", "0"}}},
		  {"json",
		   {{"error", {{"code", "rate_limit_exceeded"}, {"message", "Async task request rate exceeded"}}}}},
		  {"repeat", 5}},
		 5},
		{"503 limiter",
		 {{"status", 503},
		  {"json",
		   {{"error",
		     {{"code", "rate_limit_unavailable"},
		      {"message", "The async task submit limiter is temporarily unavailable"}}}}},
		  {"repeat", 5}},
		 5},
	};
	for (const auto &c : cases) {
		INFO(c.name);
		Emulator emu;
		emu.scenario({{"queue_seconds", 0.1}, {"generate_seconds", 0.2}});
		emu.script("create", json::array({c.refusal}));
		TempDir dir;
		std::string out = dir.file("deferred.mp4");
		auto env = envFor(emu);
		env["SEEDANCE_POLL_SCALE"] = "0.01"; // the wait starts at 0.15 s
		Run r = cli({"generate", "--prompt", "wait for the limiter", "--output", out}, env);
		INFO(r.err);
		REQUIRE(r.exitCode == 0);
		CHECK(r.err.find("submitting again in") != std::string::npos);
		CHECK(emu.requestsTo("create").size() == c.refused + 1);
		CHECK(emu.tasks().size() == 1);
		std::string taskId = r.out.substr(0, r.out.find('\n'));
		CHECK(sha256Hex(readAll(out)) == emu.task(taskId)["sha256"]);
	}
}

TEST_CASE("cli claims its output file: one that exists or is being written is refused before anything is sent", "[cli]")
{
	Emulator emu;
	TempDir dir;
	std::string out = dir.file("taken.mp4");
	// Another run is downloading into this name: its ".part" is there.
	std::ofstream(out + ".part", std::ios::binary) << "another download";
	Run r = cli({"generate", "--prompt", "x", "--output", out}, envFor(emu));
	CHECK(r.exitCode == 2);
	CHECK(r.err.find("Another download is writing") != std::string::npos);
	CHECK(emu.requests().empty());
	CHECK(readAll(out + ".part") == "another download"); // not ours: left alone
	r = cli({"download", "task_x", "--output", out}, envFor(emu));
	CHECK(r.exitCode == 2);
	CHECK(emu.requests().empty());

	std::ofstream(dir.file("done.mp4"), std::ios::binary) << "a clip";
	r = cli({"generate", "--prompt", "x", "--output", dir.file("done.mp4")}, envFor(emu));
	CHECK(r.exitCode == 2);
	CHECK(r.err.find("already exists") != std::string::npos);
	CHECK(emu.requests().empty());
	CHECK_FALSE(seedance::core::fileExists(dir.file("done.mp4.part")));

	// A run that fails after claiming leaves no ".part" behind.
	emu.script("create", json::array({{{"status", 400},
					   {"json", {{"error", {{"code", "invalid_request"}, {"message", "bad"}}}}}}}));
	r = cli({"generate", "--prompt", "x", "--output", dir.file("fails.mp4")}, envFor(emu));
	CHECK(r.exitCode != 0);
	CHECK_FALSE(seedance::core::fileExists(dir.file("fails.mp4")));
	CHECK_FALSE(seedance::core::fileExists(dir.file("fails.mp4.part")));
}
