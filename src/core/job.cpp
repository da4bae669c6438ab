// Job names and (de)serialisation.
#include "job.hpp"

#include "job/job-machine.hpp"
#include "redact.hpp"
#include "text.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <limits>
#include <random>
#include <type_traits>

namespace seedance::core {

using nlohmann::json;

namespace {

constexpr std::array<std::pair<JobState, const char *>, 12> kStates{{
	{JobState::Capturing, "capturing"},
	{JobState::Encoding, "encoding"},
	{JobState::Waiting, "waiting"},
	{JobState::Uploading, "uploading"},
	{JobState::Submitting, "submitting"},
	{JobState::Queued, "queued"},
	{JobState::Generating, "generating"},
	{JobState::Downloading, "downloading"},
	{JobState::Inserting, "inserting"},
	{JobState::Completed, "completed"},
	{JobState::Failed, "failed"},
	{JobState::Cancelled, "cancelled"},
}};

// A number that does not fit a signed integer field (1e30 in an edited or damaged journal) counts as missing:
// nlohmann::json would convert it with a cast that is undefined behaviour.
template<typename T> bool fits(const json &v)
{
	if constexpr (std::is_integral_v<T> && std::is_signed_v<T>) {
		if (v.is_number_float()) {
			double d = v.get<double>();
			double min = static_cast<double>(std::numeric_limits<T>::min()); // -2^(bits-1), exact
			return d >= min && d < -min;
		}
	}
	return true;
}

template<typename T> T value(const json &j, const char *key, T fallback)
{
	auto it = j.find(key);
	if (it == j.end() || it->is_null() || !fits<T>(*it))
		return fallback;
	try {
		return it->get<T>();
	} catch (const json::exception &) {
		return fallback;
	}
}

template<typename T> std::optional<T> optionalValue(const json &j, const char *key)
{
	auto it = j.find(key);
	if (it == j.end() || it->is_null() || !fits<T>(*it))
		return std::nullopt;
	try {
		return it->get<T>();
	} catch (const json::exception &) {
		return std::nullopt;
	}
}

json errorToJson(const Error &e)
{
	json out = {{"kind", errorKindName(e.kind)}, {"key", e.messageKey}, {"args", e.args}, {"detail", e.detail}};
	if (e.httpStatus)
		out["http_status"] = e.httpStatus;
	if (!e.providerCode.empty())
		out["provider_code"] = e.providerCode;
	if (!e.providerMessage.empty())
		out["provider_message"] = e.providerMessage;
	return out;
}

Error errorFromJson(const json &j)
{
	Error e;
	if (!j.is_object())
		return e;
	e.kind = errorKindFromName(value<std::string>(j, "kind", "internal"));
	e.messageKey = value<std::string>(j, "key", "Error.Internal");
	auto args = j.find("args");
	if (args != j.end() && args->is_object())
		for (auto it = args->begin(); it != args->end(); ++it)
			if (it.value().is_string())
				e.args[it.key()] = it.value().get<std::string>();
	e.detail = value<std::string>(j, "detail", "");
	e.httpStatus = value<int>(j, "http_status", 0);
	e.providerCode = value<std::string>(j, "provider_code", "");
	e.providerMessage = value<std::string>(j, "provider_message", "");
	return e;
}

json frameToJson(const FrameChoice &f)
{
	return {{"source", f.source}, {"file", f.file}};
}

FrameChoice frameFromJson(const json &j)
{
	FrameChoice f;
	if (j.is_object()) {
		f.source = value<std::string>(j, "source", "");
		f.file = value<std::string>(j, "file", "");
	}
	return f;
}

const char *targetKindName(JobTarget::Kind k)
{
	switch (k) {
	case JobTarget::Kind::Scene:
		return "scene";
	case JobTarget::Kind::Slot:
		return "slot";
	case JobTarget::Kind::Library:
		return "library";
	}
	return "scene";
}

} // namespace

std::string Notice::text() const
{
	return key.empty() ? std::string() : redact(fillPlaceholders(seedance::core::text(key), args));
}

const char *jobStateName(JobState state)
{
	for (const auto &[s, name] : kStates)
		if (s == state)
			return name;
	return "failed";
}

std::optional<JobState> jobStateFromName(const std::string &name)
{
	for (const auto &[s, n] : kStates)
		if (name == n)
			return s;
	return std::nullopt;
}

bool isTerminal(JobState s)
{
	return s == JobState::Completed || s == JobState::Failed || s == JobState::Cancelled;
}

bool mayBeBilled(JobState s)
{
	return s == JobState::Submitting || s == JobState::Queued || s == JobState::Generating ||
	       s == JobState::Downloading || s == JobState::Inserting || s == JobState::Completed;
}

const char *playbackName(Playback p)
{
	switch (p) {
	case Playback::Once:
		return "once";
	case Playback::Hold:
		return "hold";
	case Playback::Loop:
		return "loop";
	}
	return "once";
}

std::optional<Playback> playbackFromName(const std::string &name)
{
	if (name == "once")
		return Playback::Once;
	if (name == "hold")
		return Playback::Hold;
	if (name == "loop")
		return Playback::Loop;
	return std::nullopt;
}

json jobToJson(const Job &job)
{
	const GenerationRequest &r = job.request;
	json request = {{"model", r.model}, {"prompt", r.prompt}};
	if (r.duration)
		request["duration"] = *r.duration;
	if (r.aspectRatio)
		request["aspect_ratio"] = *r.aspectRatio;
	if (r.resolution)
		request["resolution"] = *r.resolution;
	if (r.audio)
		request["audio"] = *r.audio;
	if (r.seed)
		request["seed"] = *r.seed;
	if (r.cameraFixed)
		request["camera_fixed"] = *r.cameraFixed;

	json j = {{"id", job.id},
		  {"state", jobStateName(job.state)},
		  {"stage", jobStateName(job.stage)},
		  {"request", request},
		  {"aspect_ratio_setting", job.aspectRatioSetting},
		  {"first_frame", frameToJson(job.firstFrame)},
		  {"target", {{"kind", targetKindName(job.target.kind)}, {"name", job.target.name}}},
		  {"playback", playbackName(job.playback)},
		  {"first_frame_path", job.firstFramePath},
		  {"last_frame_path", job.lastFramePath},
		  {"thumbnail_path", job.thumbnailPath},
		  {"task_id", job.taskId},
		  {"progress", job.progress},
		  {"clip_path", job.clipPath},
		  {"download_path", job.downloadPath},
		  {"inserted", job.inserted},
		  {"scene", job.sceneName},
		  {"source_name", job.sourceName},
		  {"notice", {{"key", job.notice.key}, {"args", job.notice.args}}},
		  {"outcome_unknown", job.outcomeUnknown},
		  {"created_at", job.createdAt},
		  {"updated_at", job.updatedAt},
		  {"attempts", job.attempts}};
	if (job.lastFrame)
		j["last_frame"] = frameToJson(*job.lastFrame);
	if (job.expiresAt)
		j["expires_at"] = *job.expiresAt;
	if (job.submittedAt)
		j["submitted_at"] = *job.submittedAt;
	if (job.completedAt)
		j["completed_at"] = *job.completedAt;
	if (job.error)
		j["error"] = errorToJson(job.error);
	return j;
}

std::optional<Job> jobFromJson(const json &j)
{
	if (!j.is_object())
		return std::nullopt;
	Job job;
	job.id = value<std::string>(j, "id", "");
	auto state = jobStateFromName(value<std::string>(j, "state", ""));
	if (job.id.empty() || job.id.size() > 64 || !state)
		return std::nullopt;
	JobMachine::restore(job, *state, jobStateFromName(value<std::string>(j, "stage", "")).value_or(*state));
	auto request = j.find("request");
	if (request == j.end() || !request->is_object())
		return std::nullopt;
	GenerationRequest &r = job.request;
	r.model = value<std::string>(*request, "model", ModelCatalog::kDefaultModel);
	r.prompt = value<std::string>(*request, "prompt", "");
	r.duration = optionalValue<int>(*request, "duration");
	r.aspectRatio = optionalValue<std::string>(*request, "aspect_ratio");
	r.resolution = optionalValue<std::string>(*request, "resolution");
	r.audio = optionalValue<bool>(*request, "audio");
	r.seed = optionalValue<std::int64_t>(*request, "seed");
	r.cameraFixed = optionalValue<bool>(*request, "camera_fixed");
	job.aspectRatioSetting = value<std::string>(j, "aspect_ratio_setting", r.aspectRatio.value_or(""));
	if (auto f = j.find("first_frame"); f != j.end())
		job.firstFrame = frameFromJson(*f);
	if (auto f = j.find("last_frame"); f != j.end() && f->is_object())
		job.lastFrame = frameFromJson(*f);
	if (auto t = j.find("target"); t != j.end() && t->is_object()) {
		std::string kind = value<std::string>(*t, "kind", "scene");
		job.target.kind = kind == "slot"      ? JobTarget::Kind::Slot
				  : kind == "library" ? JobTarget::Kind::Library
						      : JobTarget::Kind::Scene;
		job.target.name = value<std::string>(*t, "name", "");
	}
	job.playback = playbackFromName(value<std::string>(j, "playback", "once")).value_or(Playback::Once);
	job.firstFramePath = value<std::string>(j, "first_frame_path", "");
	job.lastFramePath = value<std::string>(j, "last_frame_path", "");
	job.thumbnailPath = value<std::string>(j, "thumbnail_path", "");
	job.taskId = value<std::string>(j, "task_id", "");
	job.progress = std::clamp(value<int>(j, "progress", 0), 0, 100);
	job.expiresAt = optionalValue<std::int64_t>(j, "expires_at");
	job.clipPath = value<std::string>(j, "clip_path", "");
	job.downloadPath = value<std::string>(j, "download_path", "");
	job.inserted = value<bool>(j, "inserted", false);
	job.sceneName = value<std::string>(j, "scene", "");
	job.sourceName = value<std::string>(j, "source_name", "");
	if (auto n = j.find("notice"); n != j.end() && n->is_object()) {
		job.notice.key = value<std::string>(*n, "key", "");
		if (auto a = n->find("args"); a != n->end() && a->is_object())
			for (auto it = a->begin(); it != a->end(); ++it)
				if (it.value().is_string())
					job.notice.args[it.key()] = it.value().get<std::string>();
	}
	job.outcomeUnknown = value<bool>(j, "outcome_unknown", false);
	job.createdAt = value<std::int64_t>(j, "created_at", 0);
	job.updatedAt = value<std::int64_t>(j, "updated_at", job.createdAt);
	job.submittedAt = optionalValue<std::int64_t>(j, "submitted_at");
	job.completedAt = optionalValue<std::int64_t>(j, "completed_at");
	job.attempts = value<int>(j, "attempts", 0);
	if (auto e = j.find("error"); e != j.end())
		job.error = errorFromJson(*e);
	return job;
}

json jobToPublicJson(const Job &job)
{
	json j = {{"job_id", job.id},
		  {"state", jobStateName(job.state)},
		  {"stage", jobStateName(job.stage)},
		  {"progress", job.progress},
		  {"prompt", job.request.prompt},
		  {"model", job.request.model},
		  {"task_id", job.taskId.empty() ? json(nullptr) : json(job.taskId)},
		  {"error", nullptr},
		  {"clip_path", job.clipPath.empty() ? json(nullptr) : json(job.clipPath)},
		  {"scene", job.sceneName.empty() ? json(nullptr) : json(job.sceneName)},
		  {"source_name", job.sourceName.empty() ? json(nullptr) : json(job.sourceName)},
		  {"inserted", job.inserted},
		  {"created_at", job.createdAt},
		  {"updated_at", job.updatedAt}};
	if (job.etaSeconds)
		j["eta_seconds"] = *job.etaSeconds;
	if (job.error)
		j["error"] = {{"code", errorKindName(job.error.kind)}, {"message", userMessage(job.error)}};
	if (!job.notice.empty())
		j["notice"] = job.notice.text();
	if (job.target.kind == JobTarget::Kind::Slot)
		j["slot"] = job.target.name;
	json timings = json::object();
	for (const auto &[state, ms] : job.enteredAtMs)
		timings[jobStateName(state)] = ms;
	j["timings"] = std::move(timings);
	return j;
}

std::string newJobId()
{
	static thread_local std::mt19937_64 rng{std::random_device{}()};
	char buf[40];
	std::snprintf(buf, sizeof buf, "job_%llx%06llx", static_cast<unsigned long long>(unixNow()),
		      static_cast<unsigned long long>(rng() & 0xFFFFFF));
	return buf;
}

std::int64_t unixNow()
{
	using namespace std::chrono;
	return duration_cast<seconds>(system_clock::now().time_since_epoch()).count();
}

std::int64_t unixNowMs()
{
	using namespace std::chrono;
	return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

} // namespace seedance::core
