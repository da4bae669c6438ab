// Redaction: secrets never reach a log line.
#include "test-framework.hpp"

#include "core/log.hpp"
#include "core/redact.hpp"

#include <vector>

using namespace seedance::core;

TEST_CASE("registered secrets are replaced wherever they appear", "[redact]")
{
	forgetSecrets();
	registerSecret("my-very-secret-key-123");
	CHECK(redact("key=my-very-secret-key-123;again my-very-secret-key-123") == "key=[redacted];again [redacted]");
	forgetSecrets();
}

TEST_CASE("bearer tokens and sk- keys are redacted even when not registered", "[redact]")
{
	forgetSecrets();
	CHECK(redact("Authorization: Bearer abc.def-ghi") == "Authorization: Bearer [redacted]");
	CHECK(redact("using sk-ABCDEFGHIJKLMNOP now") == "using [redacted] now");
	CHECK(redact("sk-learn is a word") == "sk-learn is a word");
}

TEST_CASE("URL query strings are redacted but paths stay", "[redact]")
{
	CHECK(redact("GET https://files.example.com/v/a.mp4?X-Sig=abc&exp=1 failed") ==
	      "GET https://files.example.com/v/a.mp4?[redacted] failed");
	CHECK(redact("see http://127.0.0.1:8080/files/x.mp4") == "see http://127.0.0.1:8080/files/x.mp4");
	CHECK(stripQuery("https://a/b.mp4?sig=1#frag") == "https://a/b.mp4");
}

TEST_CASE("log() hands only redacted text to the sink", "[redact][log]")
{
	forgetSecrets();
	registerSecret("sekrit-value");
	std::vector<std::string> lines;
	setLogSink([&](LogLevel, const std::string &line) { lines.push_back(line); });
	logInfo("token sekrit-value in https://x/y?token=sekrit-value");
	setLogSink(nullptr);
	REQUIRE(lines.size() == 1);
	CHECK(lines[0] == "token [redacted] in https://x/y?[redacted]");
	forgetSecrets();
}
