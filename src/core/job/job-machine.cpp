// The job state machine: its transition table and the rules derived from it.
#include "job-machine.hpp"

#include <array>

namespace seedance::core {

namespace {

using S = JobState;
using E = JobEvent;

constexpr std::array<S, 9> kRunning{S::Capturing, S::Encoding,   S::Waiting,     S::Uploading, S::Submitting,
				    S::Queued,    S::Generating, S::Downloading, S::Inserting};

std::vector<JobTransition> buildTable()
{
	std::vector<JobTransition> t = {
		// Before the provider has anything: nothing is billed.
		{S::Capturing, E::Captured, S::Encoding, true},
		{S::Encoding, E::Encoded, S::Waiting, true},
		{S::Waiting, E::UploadStarted, S::Uploading, true},
		{S::Uploading, E::SubmitStarted, S::Submitting, true},
		// A submit refused for now (429, 503 from the provider's limiter) waits as "waiting" and goes again.
		{S::Submitting, E::SubmitDeferred, S::Waiting, true},
		{S::Waiting, E::SubmitStarted, S::Submitting, true},
		// The provider has the task.
		{S::Submitting, E::TaskQueued, S::Queued, true},
		{S::Submitting, E::TaskRunning, S::Generating, true},
		{S::Queued, E::TaskQueued, S::Queued, false},
		{S::Queued, E::TaskRunning, S::Generating, true},
		{S::Generating, E::TaskRunning, S::Generating, false},
		{S::Generating, E::TaskQueued, S::Queued, true},
		// A download resumed after a restart asks the provider again first (a fresh URL); it may say "not done".
		{S::Downloading, E::TaskQueued, S::Queued, true},
		{S::Downloading, E::TaskRunning, S::Generating, true},
		{S::Queued, E::TaskSucceeded, S::Downloading, true},
		{S::Generating, E::TaskSucceeded, S::Downloading, true},
		{S::Downloading, E::TaskSucceeded, S::Downloading, true},
		{S::Downloading, E::Downloaded, S::Inserting, true},
		// Insertion happens on the UI thread; a finished clip can be added again.
		{S::Inserting, E::InsertRequested, S::Inserting, false},
		{S::Completed, E::InsertRequested, S::Inserting, false},
		{S::Inserting, E::Inserted, S::Completed, true},
		{S::Completed, E::Inserted, S::Completed, true},
		{S::Inserting, E::FoundReady, S::Completed, true},
		// Retry: from the kept frames when no task was created, else poll the task again.
		{S::Failed, E::RetryFromFrames, S::Waiting, true},
		{S::Cancelled, E::RetryFromFrames, S::Waiting, true},
		{S::Failed, E::RetryFromTask, S::Queued, true},
		{S::Cancelled, E::RetryFromTask, S::Queued, true},
	};
	// Any running job can fail or be cancelled.
	for (S from : kRunning) {
		t.push_back({from, E::Failed, S::Failed, true});
		t.push_back({from, E::Cancelled, S::Cancelled, true});
	}
	return t;
}

} // namespace

const char *jobEventName(JobEvent event)
{
	switch (event) {
	case E::Captured:
		return "captured";
	case E::Encoded:
		return "encoded";
	case E::UploadStarted:
		return "upload-started";
	case E::SubmitStarted:
		return "submit-started";
	case E::SubmitDeferred:
		return "submit-deferred";
	case E::TaskQueued:
		return "task-queued";
	case E::TaskRunning:
		return "task-running";
	case E::TaskSucceeded:
		return "task-succeeded";
	case E::Downloaded:
		return "downloaded";
	case E::InsertRequested:
		return "insert-requested";
	case E::Inserted:
		return "inserted";
	case E::FoundReady:
		return "found-ready";
	case E::Failed:
		return "failed";
	case E::Cancelled:
		return "cancelled";
	case E::RetryFromFrames:
		return "retry-from-frames";
	case E::RetryFromTask:
		return "retry-from-task";
	}
	return "?";
}

const std::vector<JobTransition> &JobMachine::table()
{
	static const std::vector<JobTransition> table = buildTable();
	return table;
}

std::optional<JobTransition> JobMachine::find(JobState from, JobEvent event)
{
	for (const auto &t : table())
		if (t.from == from && t.event == event)
			return t;
	return std::nullopt;
}

void JobMachine::start(Job &job)
{
	job.state.value_ = S::Capturing;
	job.stage.value_ = S::Capturing;
}

void JobMachine::restore(Job &job, JobState state, JobState stage)
{
	job.state.value_ = state;
	job.stage.value_ = stage;
}

std::optional<JobTransition> JobMachine::fire(Job &job, JobEvent event)
{
	auto t = find(job.state, event);
	if (!t)
		return std::nullopt;
	bool stopped = t->to == S::Failed || t->to == S::Cancelled;
	job.stage.value_ = stopped ? t->from : t->to;
	job.state.value_ = t->to;
	return t;
}

JobEvent JobMachine::retryEvent(const Job &job)
{
	return job.taskId.empty() ? E::RetryFromFrames : E::RetryFromTask;
}

bool JobMachine::canCancel(const Job &job)
{
	return find(job.state, E::Cancelled).has_value();
}

bool JobMachine::canRetry(const Job &job)
{
	return find(job.state, retryEvent(job)).has_value();
}

bool JobMachine::canRemove(const Job &job)
{
	return isTerminal(job.state);
}

bool JobMachine::canPlay(const Job &job)
{
	return find(job.state, E::InsertRequested).has_value() && job.state == S::Completed && !job.clipPath.empty();
}

const char *resumeActionName(ResumeAction action)
{
	switch (action) {
	case ResumeAction::Keep:
		return "keep";
	case ResumeAction::FailInterrupted:
		return "fail-interrupted";
	case ResumeAction::FailOutcomeUnknown:
		return "fail-outcome-unknown";
	case ResumeAction::Poll:
		return "poll";
	case ResumeAction::Insert:
		return "insert";
	case ResumeAction::MarkReady:
		return "mark-ready";
	}
	return "?";
}

ResumeAction resumeAction(const Job &job, bool insertResumedClips, bool clipExists)
{
	switch (job.state) {
	case S::Capturing:
	case S::Encoding:
	case S::Waiting:
	case S::Uploading:
		return ResumeAction::FailInterrupted;
	case S::Submitting:
		return ResumeAction::FailOutcomeUnknown;
	case S::Queued:
	case S::Generating:
	case S::Downloading:
		return ResumeAction::Poll;
	case S::Inserting:
		return insertResumedClips && clipExists ? ResumeAction::Insert : ResumeAction::MarkReady;
	case S::Completed:
	case S::Failed:
	case S::Cancelled:
		break;
	}
	return ResumeAction::Keep;
}

} // namespace seedance::core
