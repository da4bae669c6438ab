// A job's life as one state machine: the states (core/job.hpp), the events that move a job between them, and one
// table of {from, event, to, journal}. JobMachine::fire() is the only code that changes Job::state and Job::stage
// (the field is read-only everywhere else); what the streamer may do with a job (cancel, retry, remove, play) is
// answered here and nowhere else, for the dock, the websocket vendor and the CLI alike.
//
// docs/architecture.md draws the same table as a diagram; tests/unit/test-job-machine.cpp fails when they
// disagree.
#pragma once

#include "core/job.hpp"

#include <optional>
#include <vector>

namespace seedance::core {

enum class JobEvent {
	Captured,        // the frames are in memory
	Encoded,         // cropped, scaled, encoded and kept: waits for a generation slot
	UploadStarted,   // a slot took it: the frames go to the provider
	SubmitStarted,   // POST /v1/videos/generations leaves (journaled first: the outcome is unknown until answered)
	SubmitDeferred,  // the provider refused the submit for now and created nothing: submit again later
	TaskQueued,      // the provider has the task and has not started it
	TaskRunning,     // the provider is generating
	TaskSucceeded,   // the clip's URL is known: download it
	Downloaded,      // the clip is complete in the clip folder
	InsertRequested, // the clip goes (again) into a scene or slot, on the UI thread
	Inserted,        // placed, or kept in the library (a notice says why it is not on air)
	FoundReady,      // at start: a clip downloaded in an earlier session is ready, not put on air on its own
	Failed,          // stopped by an error; `stage` keeps where
	Cancelled,       // stopped by the streamer; `stage` keeps where
	RetryFromFrames, // submit again from the kept frames (no task was created)
	RetryFromTask,   // poll and download the existing task again
};

const char *jobEventName(JobEvent event);

struct JobTransition {
	JobState from;
	JobEvent event;
	JobState to;
	// The runner writes the journal before it acts on the new state. Progress within a state (a poll that
	// says "still queued") is not worth a write.
	bool journal;
};

// One machine for every job. Stateless: the job carries its state.
class JobMachine {
public:
	// Every allowed transition; anything else is refused.
	static const std::vector<JobTransition> &table();
	static std::optional<JobTransition> find(JobState from, JobEvent event);

	// A new job starts capturing.
	static void start(Job &job);
	// A job read from the journal, or built by a test: takes the state as written.
	static void restore(Job &job, JobState state, JobState stage);
	// Moves the job along the table. Failed and Cancelled keep the state they stopped in as `stage`; every other
	// transition makes `stage` the new state. Returns the transition, or nullopt (job unchanged) when the table
	// has no such row.
	static std::optional<JobTransition> fire(Job &job, JobEvent event);
	// The retry event for a stopped job: poll the task again if there is one, else submit from the kept frames.
	static JobEvent retryEvent(const Job &job);

	// What the streamer may do, for the dock's buttons, the websocket vendor and the runner's checks. The runner
	// adds what only it knows (a worker still holds the job; the kept frame or the clip is on disk).
	static bool canCancel(const Job &job);
	static bool canRetry(const Job &job);
	static bool canRemove(const Job &job);
	static bool canPlay(const Job &job); // a clip to put into a scene or slot
};

// What the runner does with a job it finds in the journal at start: a pure function of the journaled job.
enum class ResumeAction {
	Keep,               // finished (completed, failed, cancelled): listed as it was
	FailInterrupted,    // stopped before submitting: nothing billed; Retry submits from the kept frame
	FailOutcomeUnknown, // stopped while submitting: the provider may have the task; never resubmitted on our own
	Poll,               // the provider has the task: poll and download
	Insert,             // downloaded earlier and the streamer asked for such clips to go on air
	MarkReady,          // downloaded earlier: listed as ready, not put on air
};

const char *resumeActionName(ResumeAction action);
ResumeAction resumeAction(const Job &job, bool insertResumedClips, bool clipExists);

} // namespace seedance::core
