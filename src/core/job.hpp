// A generation job: what was asked, where it stands, and everything needed to resume it after OBS exits or
// crashes. Serialised to the journal (never a secret: no API key, no signed URL).
#pragma once

#include "error.hpp"
#include "generation-request.hpp"

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace seedance::core {

enum class JobState {
	Capturing,   // the frame is being taken (graphics thread)
	Encoding,    // crop, scale, encode (worker)
	Waiting,     // captured and encoded; waiting for one of the N generation slots
	Uploading,   // frames → POST /v1/uploads/images
	Submitting,  // POST /v1/videos/generations (outcome unknown until answered)
	Queued,      // the provider has the task and has not started
	Generating,  // the provider is generating (progress)
	Downloading, // the clip streams to the clip folder
	Inserting,   // the clip goes into the scene (UI thread)
	Completed,
	Failed,
	Cancelled,
};

class JobMachine;

// A job's state as everyone reads it (compare it, switch on it, name it). Only the job machine
// (core/job/job-machine.hpp) writes it: there is no assignment from a JobState.
class JobStateField {
public:
	constexpr JobStateField() = default;
	constexpr operator JobState() const { return value_; }

private:
	friend class JobMachine;
	JobState value_ = JobState::Capturing;
};

const char *jobStateName(JobState state);
std::optional<JobState> jobStateFromName(const std::string &name);
bool isTerminal(JobState state);
// A task was (or may have been) created at the provider from this state on: cancelling no longer saves money.
bool mayBeBilled(JobState state);

// A remark for the user that is not an error ("the target scene was gone: added to the current scene").
struct Notice {
	std::string key; // locale key
	std::map<std::string, std::string> args;
	bool empty() const { return key.empty(); }
	std::string text() const; // localized, placeholders filled
};

// Where the clip goes.
struct JobTarget {
	enum class Kind { Scene, Slot, Library };
	Kind kind = Kind::Scene;
	std::string name; // scene name (Scene; empty = the current scene at insertion time) or slot source name
};

enum class Playback { Once, Hold, Loop };
const char *playbackName(Playback p);
std::optional<Playback> playbackFromName(const std::string &name);

// The frames of a job: a source name ("" = program output) or an image file.
struct FrameChoice {
	std::string source;
	std::string file;
	bool programOutput() const { return source.empty() && file.empty(); }
};

struct Job {
	std::string id;
	JobStateField state;            // changed only by JobMachine
	JobStateField stage;            // the state it is in, or where it failed (or was cancelled)
	GenerationRequest request;      // firstFrameUrl/lastFrameUrl are not persisted
	std::string aspectRatioSetting; // as chosen ("canvas" allowed); request.aspectRatio is resolved
	FrameChoice firstFrame;
	std::optional<FrameChoice> lastFrame;
	JobTarget target;
	Playback playback = Playback::Once;

	std::string firstFramePath; // encoded frames kept for retries and thumbnails
	std::string lastFramePath;
	std::string thumbnailPath;

	std::string taskId;
	int progress = 0;                     // provider progress 0–100
	std::optional<double> etaSeconds;     // predicted seconds left (not persisted)
	std::uint64_t downloadedBytes = 0;    // not persisted
	std::uint64_t downloadTotalBytes = 0; // the clip's size when the server said it (Content-Length); not persisted
	std::optional<std::int64_t> expiresAt;
	std::string clipPath;
	std::string downloadPath; // the name claimed for the download in progress (its ".part" is this job's)
	bool inserted = false;
	std::string sceneName;  // where it was inserted
	std::string sourceName; // the media source created
	Notice notice;

	Error error;
	bool outcomeUnknown = false; // died while submitting: may have been billed

	std::int64_t createdAt = 0; // unix seconds
	std::int64_t updatedAt = 0;
	std::optional<std::int64_t> submittedAt;
	std::optional<std::int64_t> completedAt;
	int attempts = 0; // submissions so far (retries)
	// When each state was first entered in this OBS session, unix milliseconds (not persisted). Stage timings for
	// the benchmarks and the websocket API ("timings"); wall-clock so other processes can compare.
	std::map<JobState, std::int64_t> enteredAtMs;
};

nlohmann::json jobToJson(const Job &job);
// Tolerant: unknown fields ignored, missing ones defaulted; nullopt when the entry is unusable.
std::optional<Job> jobFromJson(const nlohmann::json &j);

// The JSON the websocket vendor and the CLI show for a job (public contract, documented in README).
nlohmann::json jobToPublicJson(const Job &job);

std::string newJobId();
std::int64_t unixNow();
std::int64_t unixNowMs();

} // namespace seedance::core
