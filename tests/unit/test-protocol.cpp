// Parsing every response and error variant of the reference (§2, §3, §4, §5, §9, Ark §10).
#include "test-framework.hpp"

#include "core/log.hpp"
#include "core/text.hpp"
#include "core/toapis-protocol.hpp"

using namespace seedance::core;

namespace {
HttpResponse reply(long status, std::string body, std::map<std::string, std::string> headers = {})
{
	HttpResponse r;
	r.status = status;
	r.body = std::move(body);
	r.headers = std::move(headers);
	return r;
}
} // namespace

TEST_CASE("upload success and the success:false envelope", "[protocol][upload]")
{
	auto ok = parseUploadResponse(reply(200, R"({"success": true, "message": "",
 "data": {"id": "upload_abc12345", "url": "https://files.toapis.com/uploads/123/1737568800_abc12345.jpg",
          "mime_type": "image/jpeg", "size": 89234}})"));
	REQUIRE(ok);
	CHECK(ok->id == "upload_abc12345");
	CHECK(ok->url == "https://files.toapis.com/uploads/123/1737568800_abc12345.jpg");
	CHECK(ok->size == 89234);

	auto type = parseUploadResponse(reply(
		400, R"({"success": false, "message": "Unsupported image type. Allowed: JPEG, PNG, WebP, GIF"})"));
	REQUIRE_FALSE(type);
	CHECK(type.error().kind == ErrorKind::InvalidInput);
	CHECK(type.error().providerMessage == "Unsupported image type. Allowed: JPEG, PNG, WebP, GIF");

	auto large = parseUploadResponse(
		reply(400, R"({"success": false, "message": "Image too large. Maximum size is 10MB"})"));
	REQUIRE_FALSE(large);
	CHECK(large.error().providerMessage == "Image too large. Maximum size is 10MB");

	auto refused200 = parseUploadResponse(reply(200, R"({"success": false, "message": "nope"})"));
	REQUIRE_FALSE(refused200);
	CHECK(refused200.error().messageKey == "Error.UploadRefused");

	CHECK_FALSE(parseUploadResponse(reply(200, R"({"success": true, "data": {}})")));
	auto insecure =
		parseUploadResponse(reply(200, R"({"success":true,"data":{"url":"http://evil.example/x.jpg"}})"));
	REQUIRE_FALSE(insecure);
	CHECK(insecure.error().kind == ErrorKind::BadResponse);
}

TEST_CASE("create response, queued and already in progress", "[protocol][create]")
{
	auto t = parseTaskResponse(reply(200, R"({"id": "task_vid_xyz789ghi012", "object": "generation.task",
 "model": "doubao-seedance-1-5-pro", "status": "queued", "progress": 0, "created_at": 1703884800, "metadata": {}})"),
				   Operation::Create);
	REQUIRE(t);
	CHECK(t->id == "task_vid_xyz789ghi012");
	CHECK(t->state == TaskState::Waiting);
	CHECK(t->progress == 0);
	CHECK(t->createdAt == 1703884800);

	auto running = parseTaskResponse(reply(200, R"({"id":"tsk_1","status":"in_progress","progress":12})"),
					 Operation::Create);
	REQUIRE(running);
	CHECK(running->state == TaskState::Waiting);
	CHECK(running->progress == 12);
}

TEST_CASE("query: in progress, completed, failed (docs@Aug examples)", "[protocol][query]")
{
	auto waiting = parseTaskResponse(
		reply(200,
		      R"({"id":"video_7497f4d5-3a88-44c7-923a-967fa7d941a0","object":"generation.task","model":"sora-2",
 "status":"in_progress","progress":65,"created_at":1768380222})"),
		Operation::Query);
	REQUIRE(waiting);
	CHECK(waiting->progress == 65);
	CHECK(waiting->videoUrl.empty());

	auto done = parseTaskResponse(
		reply(200, R"({"id":"tsk_vid_01KRDG4S50XXXXXXXXXXXXXXX","object":"generation.task","model":"seedance-2",
 "status":"completed","progress":100,"created_at":1778569600,
 "completed_at":1778569900,"expires_at":1778656300,
 "result":{"type":"video","data":[{"url":"https://files.toapis.com/videos/tsk_vid_1/a.mp4","format":"mp4"}]}})"),
		Operation::Query);
	REQUIRE(done);
	CHECK(done->state == TaskState::Succeeded);
	CHECK(done->videoUrl == "https://files.toapis.com/videos/tsk_vid_1/a.mp4");
	CHECK(done->expiresAt == 1778656300);
	CHECK(*done->expiresAt - *done->completedAt == 86400);

	auto failed = parseTaskResponse(
		reply(200,
		      R"({"id":"video_7497","object":"generation.task","model":"sora-2","status":"failed","progress":0,
 "created_at":1768380222,
 "error":{"code":"generation_failed","message":"Generation failed: Content violates the content policy"}})"),
		Operation::Query);
	REQUIRE(failed);
	CHECK(failed->state == TaskState::Failed);
	CHECK(failed->failure.kind == ErrorKind::ContentRejected);
	CHECK(failed->failure.providerCode == "generation_failed");
	CHECK(failed->failure.providerMessage == "Generation failed: Content violates the content policy");

	auto plainFail = parseTaskResponse(
		reply(200,
		      R"({"id":"t","status":"failed","error":{"code":"generation_failed","message":"upstream error"}})"),
		Operation::Query);
	REQUIRE(plainFail);
	CHECK(plainFail->failure.kind == ErrorKind::GenerationFailed);
	auto reason = parseTaskResponse(reply(200, R"({"id":"t","status":"failed","fail_reason":"GPU melted"})"),
					Operation::Query);
	REQUIRE(reason);
	CHECK(reason->failure.providerMessage == "GPU melted");
}

TEST_CASE("status vocabulary of every doc version and Ark", "[protocol][status]")
{
	for (const char *s : {"queued", "submitted", "pending", "in_progress", "running", "QUEUED"})
		CHECK(classifyStatus(s) == TaskState::Waiting);
	for (const char *s : {"completed", "succeeded", "SUCCESS"})
		CHECK(classifyStatus(s) == TaskState::Succeeded);
	for (const char *s : {"failed", "expired", "cancelled", "FAILURE"})
		CHECK(classifyStatus(s) == TaskState::Failed);

	std::vector<std::string> lines;
	setLogSink([&](LogLevel, const std::string &l) { lines.push_back(l); });
	CHECK(classifyStatus("warming_up") == TaskState::Waiting);
	CHECK(classifyStatus("warming_up") == TaskState::Waiting);
	setLogSink(nullptr);
	CHECK(lines.size() == 1); // an unknown status is logged once
}

TEST_CASE("the video URL is found in every documented place", "[protocol][query]")
{
	auto older = parseTaskResponse(
		reply(200,
		      R"({"id":"t1","status":"completed","url":"https://cdn/x.mp4","thumbnail":"https://cdn/x.jpg","duration":5})"),
		Operation::Query);
	REQUIRE(older);
	CHECK(older->videoUrl == "https://cdn/x.mp4");

	auto ark = parseTaskResponse(
		reply(200,
		      R"({"id":"cgt-20250331175019-68d9t","model":"doubao-seedance-1-5-pro-251215","status":"succeeded",
 "error":null,"content":{"video_url":"https://ark/v.mp4","last_frame_url":"https://ark/l.png"},
 "seed":11,"resolution":"720p","ratio":"16:9","duration":5,"created_at":1743414619,"updated_at":1743414673})"),
		Operation::Query);
	REQUIRE(ark);
	CHECK(ark->state == TaskState::Succeeded);
	CHECK(ark->videoUrl == "https://ark/v.mp4");
	CHECK(ark->lastFrameUrl == "https://ark/l.png");
	CHECK(ark->expiresAt == 1743414673 + 86400);

	auto lastFrame = parseTaskResponse(
		reply(200,
		      R"({"id":"t","status":"completed","result":{"data":[{"url":"https://a/v.mp4","last_frame_url":"https://a/l.png"}]}})"),
		Operation::Query);
	REQUIRE(lastFrame);
	CHECK(lastFrame->lastFrameUrl == "https://a/l.png");

	auto none =
		parseTaskResponse(reply(200, R"({"id":"t9","status":"completed","result":{"type":"video","data":[]}})"),
				  Operation::Query);
	REQUIRE_FALSE(none);
	CHECK(none.error().messageKey == "Error.NoVideoUrl");
	CHECK(none.error().args.at("task") == "t9");
}

TEST_CASE("wrong JSON types are tolerated where the meaning is clear", "[protocol][types]")
{
	auto t = parseTaskResponse(
		reply(200, R"({"id":12345,"status":"in_progress","progress":"65%","created_at":"1768380222"})"),
		Operation::Query);
	REQUIRE(t);
	CHECK(t->id == "12345");
	CHECK(t->progress == 65);
	CHECK(t->createdAt == 1768380222);

	auto ms = parseTaskResponse(
		reply(200,
		      R"({"id":"a","status":"completed","expires_at":1778656300000,"result":{"data":[{"url":"https://a/b.mp4"}]}})"),
		Operation::Query);
	REQUIRE(ms);
	CHECK(ms->expiresAt == 1778656300);

	auto odd = parseTaskResponse(
		reply(200, R"({"id":"a","status":"queued","progress":[1,2],"created_at":{"x":1}})"), Operation::Query);
	REQUIRE(odd);
	CHECK_FALSE(odd->progress);
	CHECK_FALSE(odd->createdAt);

	CHECK_FALSE(parseTaskResponse(reply(200, R"({"id":"a","status":17})"), Operation::Query));
	CHECK_FALSE(parseTaskResponse(reply(200, R"({"status":"queued"})"), Operation::Query));
	CHECK_FALSE(parseTaskResponse(reply(200, R"({"id":"../../etc","status":"queued"})"), Operation::Query));
	CHECK(parseTaskResponse(reply(200, R"({"id":"a","status":"queued","progress":250})"), Operation::Query)
		      ->progress == 100);
}

TEST_CASE("the three error envelopes, string or integer codes", "[protocol][errors]")
{
	auto e404 = errorFromResponse(
		reply(404, R"({"error":{"code":404,"message":"Task not found","type":"not_found_error"}})"),
		Operation::Query);
	CHECK(e404.kind == ErrorKind::NotFound);
	CHECK(e404.providerCode == "404");
	CHECK(e404.providerMessage == "Task not found");

	auto e401 = errorFromResponse(
		reply(401,
		      R"({"error":{"code":401,"message":"Authentication failed, please check your API key","type":"authentication_error"}})"),
		Operation::Query);
	CHECK(e401.kind == ErrorKind::Auth);

	auto invalid = errorFromResponse(
		reply(400,
		      R"({"error":{"code":"invalid_request","message":"bad prompt","type":"invalid_request_error","param":"prompt"}})"),
		Operation::Create);
	CHECK(invalid.kind == ErrorKind::InvalidInput);
	CHECK(invalid.providerCode == "invalid_request");

	auto quota =
		errorFromResponse(reply(402, R"({"error":{"code":"insufficient_quota","message":"balance too low"}})"),
				  Operation::Create);
	CHECK(quota.kind == ErrorKind::Quota);

	auto policy = errorFromResponse(reply(422, R"({"error":{"code":"content_policy_violation","message":"no"}})"),
					Operation::Create);
	CHECK(policy.kind == ErrorKind::ContentRejected);

	auto limited = errorFromResponse(
		reply(429, R"({"error":{"code":"rate_limit_exceeded","message":"Async task request rate exceeded"}})",
		      {{"retry-after", "7"}}),
		Operation::Create);
	CHECK(limited.kind == ErrorKind::RateLimited);
	REQUIRE(limited.retryAfterSeconds);
	CHECK(*limited.retryAfterSeconds == 7.0);
	auto limitedInt = errorFromResponse(
		reply(429, R"({"error":{"code":429,"message":"slow down","type":"rate_limit_error"}})"),
		Operation::Query);
	CHECK(limitedInt.kind == ErrorKind::RateLimited);

	auto limiter = errorFromResponse(
		reply(503,
		      R"({"error":{"code":"rate_limit_unavailable","message":"The async task submit limiter is temporarily unavailable"}})"),
		Operation::Create);
	CHECK(limiter.messageKey == "Error.SubmitUnavailable");

	auto successFalse =
		errorFromResponse(reply(401, R"({"success":false,"message":"invalid token"})"), Operation::Models);
	CHECK(successFalse.kind == ErrorKind::Auth);
	CHECK(successFalse.providerMessage == "invalid token");

	auto stringError = errorFromResponse(reply(500, R"({"error":"upstream exploded"})"), Operation::Query);
	CHECK(stringError.kind == ErrorKind::ServerUnavailable);
	CHECK(stringError.providerMessage == "upstream exploded");
}

TEST_CASE("non-JSON bodies: HTML error pages and truncated JSON", "[protocol][errors]")
{
	auto html = errorFromResponse(
		reply(502, "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"),
		Operation::Query);
	CHECK(html.kind == ErrorKind::ServerUnavailable);
	CHECK(html.detail.find("502 Bad Gateway") != std::string::npos);
	CHECK(html.providerMessage.empty());

	auto truncated = parseTaskResponse(reply(200, R"({"id":"task_1","status":"compl)"), Operation::Query);
	REQUIRE_FALSE(truncated);
	CHECK(truncated.error().kind == ErrorKind::BadResponse);

	auto htmlOk = parseTaskResponse(reply(200, "<html>maintenance</html>"), Operation::Query);
	REQUIRE_FALSE(htmlOk);
	CHECK(htmlOk.error().kind == ErrorKind::BadResponse);

	std::string deep(100000, '[');
	CHECK(jsonTooDeep(deep));
	CHECK_FALSE(parseTaskResponse(reply(200, deep), Operation::Query));
	CHECK_FALSE(jsonTooDeep(R"({"a":"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["})"));
}

TEST_CASE("transport failures map to errors that say what to do", "[protocol][errors]")
{
	setLanguage("en-US");
	HttpResponse r;
	r.error = TransportError::Connect;
	CHECK(errorFromResponse(r, Operation::Query).kind == ErrorKind::Network);
	r.error = TransportError::Tls;
	auto tls = errorFromResponse(r, Operation::Query);
	CHECK(tls.kind == ErrorKind::Tls);
	CHECK(userMessage(tls).find("certificate") != std::string::npos);
	r.error = TransportError::Timeout;
	CHECK(errorFromResponse(r, Operation::Query).kind == ErrorKind::Timeout);
	r.error = TransportError::TooLarge;
	CHECK(errorFromResponse(r, Operation::Query).kind == ErrorKind::BadResponse);
	r.error = TransportError::Write;
	CHECK(errorFromResponse(r, Operation::Download).kind == ErrorKind::Disk);
}

TEST_CASE("download refusals mean the link expired", "[protocol][errors]")
{
	CHECK(errorFromResponse(reply(403, "<Error><Code>AccessDenied</Code></Error>"), Operation::Download).kind ==
	      ErrorKind::Expired);
	CHECK(errorFromResponse(reply(404, ""), Operation::Download).kind == ErrorKind::Expired);
	CHECK(errorFromResponse(reply(403, "{}"), Operation::Query).kind == ErrorKind::Permission);
}

TEST_CASE("models list, OpenAI shape or bare array", "[protocol][models]")
{
	auto m = parseModelsResponse(reply(
		200,
		R"({"object":"list","data":[{"id":"doubao-seedance-1-5-pro","object":"model"},{"id":"sora-2"}]})"));
	REQUIRE(m);
	CHECK(m->size() == 2);
	CHECK(parseModelsResponse(reply(200, R"(["a","b"])"))->size() == 2);
	CHECK_FALSE(parseModelsResponse(reply(200, R"({"data":"x"})")));
	CHECK(parseModelsResponse(reply(401, R"({"error":{"code":401,"message":"no","type":"authentication_error"}})"))
		      .error()
		      .kind == ErrorKind::Auth);
}

TEST_CASE("Retry-After as seconds or an HTTP date", "[protocol][retry-after]")
{
	CHECK(reply(429, "", {{"retry-after", "2"}}).retryAfterSeconds() == 2.0);
	CHECK(reply(429, "", {{"retry-after", "0.5"}}).retryAfterSeconds() == 0.5);
	CHECK_FALSE(reply(429, "", {{"retry-after", "tomorrow"}}).retryAfterSeconds());
	CHECK_FALSE(reply(429, "", {{"retry-after", "999999"}}).retryAfterSeconds());
	CHECK(reply(429, "", {{"retry-after", "Wed, 21 Oct 2015 07:28:00 GMT"}}).retryAfterSeconds() == 0.0);
}
