// The job state machine: every state × every event against the table, the rules the UI and the vendor ask, the
// resume decision, and the diagram in docs/architecture.md against the table.
#include "test-framework.hpp"

#include "core/job/job-machine.hpp"

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <tuple>

using namespace seedance;
using core::JobEvent;
using core::JobMachine;
using core::JobState;
using core::ResumeAction;

namespace {

const std::vector<JobState> kStates = {
	JobState::Capturing,  JobState::Encoding,  JobState::Waiting,    JobState::Uploading,
	JobState::Submitting, JobState::Queued,    JobState::Generating, JobState::Downloading,
	JobState::Inserting,  JobState::Completed, JobState::Failed,     JobState::Cancelled,
};

const std::vector<JobEvent> kEvents = {
	JobEvent::Captured,       JobEvent::Encoded,         JobEvent::UploadStarted,   JobEvent::SubmitStarted,
	JobEvent::SubmitDeferred, JobEvent::TaskQueued,      JobEvent::TaskRunning,     JobEvent::TaskSucceeded,
	JobEvent::Downloaded,     JobEvent::InsertRequested, JobEvent::Inserted,        JobEvent::FoundReady,
	JobEvent::Failed,         JobEvent::Cancelled,       JobEvent::RetryFromFrames, JobEvent::RetryFromTask,
};

core::Job jobIn(JobState state, JobState stage)
{
	core::Job j;
	j.id = "job_machine";
	JobMachine::restore(j, state, stage);
	return j;
}

std::string slurp(const std::filesystem::path &path)
{
	std::ifstream in(path, std::ios::binary);
	std::stringstream s;
	s << in.rdbuf();
	return s.str();
}

} // namespace

TEST_CASE("every state × event: the table decides, and a refused event changes nothing", "[job-machine]")
{
	int allowed = 0;
	for (JobState from : kStates) {
		for (JobEvent event : kEvents) {
			INFO(core::jobStateName(from) << " + " << core::jobEventName(event));
			// Start from a stage that differs from the state, to see what the transition writes.
			core::Job j =
				jobIn(from, JobState::Uploading == from ? JobState::Capturing : JobState::Uploading);
			JobState stageBefore = j.stage;
			auto row = JobMachine::find(from, event);
			auto fired = JobMachine::fire(j, event);
			REQUIRE(fired.has_value() == row.has_value());
			if (!row) {
				CHECK(j.state == from);
				CHECK(j.stage == stageBefore);
				continue;
			}
			++allowed;
			CHECK(j.state == row->to);
			bool stopped = row->to == JobState::Failed || row->to == JobState::Cancelled;
			// Failed and cancelled keep where they stopped; everything else is at its new state.
			CHECK(j.stage == (stopped ? from : row->to));
		}
	}
	CHECK(allowed == static_cast<int>(JobMachine::table().size()));
}

TEST_CASE("the table has one row per state and event, and every state is reachable", "[job-machine]")
{
	std::set<std::pair<JobState, JobEvent>> seen;
	for (const auto &t : JobMachine::table()) {
		INFO(core::jobStateName(t.from) << " + " << core::jobEventName(t.event));
		CHECK(seen.insert({t.from, t.event}).second);
	}
	std::set<JobState> reached{JobState::Capturing};
	for (bool grew = true; grew;) {
		grew = false;
		for (const auto &t : JobMachine::table())
			if (reached.count(t.from) && reached.insert(t.to).second)
				grew = true;
	}
	CHECK(reached.size() == kStates.size());
	// A finished job goes nowhere on its own: only Retry (and a finished clip's insertion) leave it.
	for (const auto &t : JobMachine::table()) {
		if (!core::isTerminal(t.from))
			continue;
		INFO(core::jobStateName(t.from) << " + " << core::jobEventName(t.event));
		bool retry = t.event == JobEvent::RetryFromFrames || t.event == JobEvent::RetryFromTask;
		bool replay = t.from == JobState::Completed &&
			      (t.event == JobEvent::InsertRequested || t.event == JobEvent::Inserted);
		CHECK((retry || replay));
	}
}

TEST_CASE("the happy path and a deferred submit walk the table", "[job-machine]")
{
	core::Job j;
	JobMachine::start(j);
	CHECK(j.state == JobState::Capturing);
	const std::vector<std::pair<JobEvent, JobState>> path = {
		{JobEvent::Captured, JobState::Encoding},       {JobEvent::Encoded, JobState::Waiting},
		{JobEvent::UploadStarted, JobState::Uploading}, {JobEvent::SubmitStarted, JobState::Submitting},
		{JobEvent::SubmitDeferred, JobState::Waiting},  {JobEvent::SubmitStarted, JobState::Submitting},
		{JobEvent::TaskQueued, JobState::Queued},       {JobEvent::TaskQueued, JobState::Queued},
		{JobEvent::TaskRunning, JobState::Generating},  {JobEvent::TaskSucceeded, JobState::Downloading},
		{JobEvent::Downloaded, JobState::Inserting},    {JobEvent::InsertRequested, JobState::Inserting},
		{JobEvent::Inserted, JobState::Completed},      {JobEvent::InsertRequested, JobState::Inserting},
		{JobEvent::Inserted, JobState::Completed},
	};
	for (const auto &[event, to] : path) {
		INFO(core::jobEventName(event));
		auto t = JobMachine::fire(j, event);
		REQUIRE(t);
		CHECK(j.state == to);
		CHECK(j.stage == to);
	}
	// Progress within a state is not journaled; a change of state always is.
	CHECK_FALSE(JobMachine::find(JobState::Queued, JobEvent::TaskQueued)->journal);
	CHECK_FALSE(JobMachine::find(JobState::Generating, JobEvent::TaskRunning)->journal);
	CHECK(JobMachine::find(JobState::Queued, JobEvent::TaskRunning)->journal);
	CHECK(JobMachine::find(JobState::Uploading, JobEvent::SubmitStarted)->journal);
}

TEST_CASE("what the streamer may do follows from the state", "[job-machine]")
{
	for (JobState s : kStates) {
		INFO(core::jobStateName(s));
		core::Job j = jobIn(s, s);
		CHECK(JobMachine::canCancel(j) == !core::isTerminal(s));
		CHECK(JobMachine::canRemove(j) == core::isTerminal(s));
		bool stopped = s == JobState::Failed || s == JobState::Cancelled;
		CHECK(JobMachine::canRetry(j) == stopped);
		j.taskId = "task_1";
		CHECK(JobMachine::canRetry(j) == stopped);
		CHECK_FALSE(JobMachine::canPlay(j)); // no clip
		j.clipPath = "/clips/a.mp4";
		CHECK(JobMachine::canPlay(j) == (s == JobState::Completed));
	}
	core::Job failed = jobIn(JobState::Failed, JobState::Uploading);
	CHECK(JobMachine::retryEvent(failed) == JobEvent::RetryFromFrames);
	JobMachine::fire(failed, JobMachine::retryEvent(failed));
	CHECK(failed.state == JobState::Waiting);
	core::Job polled = jobIn(JobState::Cancelled, JobState::Generating);
	polled.taskId = "task_2";
	CHECK(JobMachine::retryEvent(polled) == JobEvent::RetryFromTask);
	JobMachine::fire(polled, JobMachine::retryEvent(polled));
	CHECK(polled.state == JobState::Queued);
	CHECK(polled.stage == JobState::Queued);
}

TEST_CASE("the resume decision is a function of the journaled job", "[job-machine][resume]")
{
	using A = ResumeAction;
	const std::vector<std::tuple<JobState, A, A>> cases = {
		// state, with insertResumedClips and the clip on disk, otherwise
		{JobState::Capturing, A::FailInterrupted, A::FailInterrupted},
		{JobState::Encoding, A::FailInterrupted, A::FailInterrupted},
		{JobState::Waiting, A::FailInterrupted, A::FailInterrupted},
		{JobState::Uploading, A::FailInterrupted, A::FailInterrupted},
		{JobState::Submitting, A::FailOutcomeUnknown, A::FailOutcomeUnknown},
		{JobState::Queued, A::Poll, A::Poll},
		{JobState::Generating, A::Poll, A::Poll},
		{JobState::Downloading, A::Poll, A::Poll},
		{JobState::Inserting, A::Insert, A::MarkReady},
		{JobState::Completed, A::Keep, A::Keep},
		{JobState::Failed, A::Keep, A::Keep},
		{JobState::Cancelled, A::Keep, A::Keep},
	};
	REQUIRE(cases.size() == kStates.size());
	for (const auto &[state, insertNow, otherwise] : cases) {
		INFO(core::jobStateName(state));
		core::Job j = jobIn(state, state);
		CHECK(core::resumeAction(j, true, true) == insertNow);
		CHECK(core::resumeAction(j, true, false) == otherwise);
		CHECK(core::resumeAction(j, false, true) == otherwise);
		// Whatever the runner does at start is a transition of the table.
		switch (core::resumeAction(j, true, false)) {
		case A::FailInterrupted:
		case A::FailOutcomeUnknown:
			CHECK(JobMachine::find(state, JobEvent::Failed));
			break;
		case A::MarkReady:
			CHECK(JobMachine::find(state, JobEvent::FoundReady));
			break;
		default:
			break;
		}
	}
}

TEST_CASE("docs/architecture.md draws exactly the transition table", "[job-machine][docs]")
{
	std::string doc = slurp(std::filesystem::path(SEEDANCE_SOURCE_DIR) / "docs/architecture.md");
	auto begin = doc.find("```mermaid\nstateDiagram-v2");
	REQUIRE(begin != std::string::npos);
	auto end = doc.find("```", begin + 10);
	REQUIRE(end != std::string::npos);
	std::string diagram = doc.substr(begin, end - begin);

	// "running" in the diagram is the composite of every state that can still fail or be cancelled.
	std::set<std::tuple<std::string, std::string, std::string>> drawn;
	std::regex arrow(R"(^\s*([a-z\[\]*]+)\s*-->\s*([a-z\[\]*]+)\s*:\s*([a-z-]+)\s*$)");
	std::istringstream lines(diagram);
	for (std::string line; std::getline(lines, line);) {
		std::smatch m;
		if (!std::regex_match(line, m, arrow) || m[1] == "[*]")
			continue; // not an arrow, or the start marker
		if (m[1] == "running") {
			for (JobState s : kStates)
				if (!core::isTerminal(s))
					CHECK(drawn.insert({core::jobStateName(s), m[2], m[3]}).second);
		} else {
			CHECK(drawn.insert({m[1], m[2], m[3]}).second);
		}
	}
	std::set<std::tuple<std::string, std::string, std::string>> table;
	for (const auto &t : JobMachine::table())
		table.insert({core::jobStateName(t.from), core::jobStateName(t.to), core::jobEventName(t.event)});
	for (const auto &[from, to, event] : table) {
		INFO("in the table, not in the diagram: " << from << " --> " << to << ": " << event);
		CHECK(drawn.count({from, to, event}) == 1);
	}
	for (const auto &[from, to, event] : drawn) {
		INFO("in the diagram, not in the table: " << from << " --> " << to << ": " << event);
		CHECK(table.count({from, to, event}) == 1);
	}
}
