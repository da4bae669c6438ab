// Runs generation jobs from a captured frame to a clip in the scene, losing nothing: every transition is journaled
// before it is acted on, jobs resume after OBS exits or crashes, and shutdown joins every thread within a second.
// Independent of OBS: the capture and the insertion are injected (src/obs implements them; tests fake neither
// the network nor the disk).
//
// Threads: one "prep" worker (waits for captured pixels, encodes), N slot workers (upload, submit, poll,
// download; N = concurrent jobs, default 3), one control worker (journal writes and events that arrive on the UI
// thread). submit(), cancel(), jobs() and friends never block: they are safe on the UI thread.
#pragma once

#include "cancel-token.hpp"
#include "expected.hpp"
#include "frame-plan.hpp"
#include "job-store.hpp"
#include "job/job-machine.hpp"
#include "job/job-spec.hpp"
#include "runner/pipeline.hpp"
#include "job.hpp"
#include "toapis-client.hpp"

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace seedance::core {

// --- Injected steps ---------------------------------------------------------------------------------------

struct FrameRequest {
	FrameChoice choice;
	std::string aspectRatio; // the setting: a ratio, "canvas" or "adaptive"
	std::string resolution;
	std::string model;
};

struct EncodedFrame {
	EncodedImage image;
	std::string aspectRatio; // resolved ("canvas" → "16:9")
};

// One frame being captured. begin() returns at once; the waits run on the runner's prep worker.
class FrameCapture {
public:
	virtual ~FrameCapture() = default;
	// Blocks until the pixels are in memory (or fails). Honours `cancel`.
	virtual Error waitCaptured(const CancelToken &cancel) = 0;
	// Crops, scales and encodes the captured pixels.
	virtual Result<EncodedFrame> encode(const CancelToken &cancel) = 0;
};

class FrameProvider {
public:
	virtual ~FrameProvider() = default;
	// Starts capturing now (any thread, must not block).
	virtual std::shared_ptr<FrameCapture> begin(const FrameRequest &request) = 0;
};

struct InsertResult {
	Error error;            // the clip could not be placed (it stays in the library)
	std::string sceneName;  // where it went
	std::string sourceName; // the media source created (or the slot)
	Notice notice;          // e.g. "the target scene was gone: added to the current scene"
};

class ClipInserter {
public:
	virtual ~ClipInserter() = default;
	// Places the clip (usually on the UI thread). Must not block the caller; `done` may run on any thread,
	// exactly once.
	virtual void insert(const Job &job, std::function<void(InsertResult)> done) = 0;
};

// --- The runner -------------------------------------------------------------------------------------------

struct RunnerConfig {
	ClientConfig client;
	PollConfig poll;
	std::string clipFolder; // finished clips
	std::string dataFolder; // journal, kept frames and thumbnails (plugin_config/obs-seedance)
	int maxConcurrent = 3;
	bool insertResumedClips = false; // clips downloaded in an earlier session go on air automatically
	SubmitWait submitWait; // a submit the provider refused for now waits and goes again (runner/pipeline.hpp)
};

class JobRunner {
public:
	JobRunner(RunnerConfig config, HttpEngine &engine, FrameProvider *frames, ClipInserter *inserter);
	~JobRunner();
	JobRunner(const JobRunner &) = delete;
	JobRunner &operator=(const JobRunner &) = delete;

	// Opens the journal, resumes unfinished jobs and starts the workers. Without a journal (folder not
	// writable) the runner still works, but says jobs are not durable.
	Error start();

	// Validates (nothing is captured or sent for an invalid request), starts capturing at once, and returns
	// the job id.
	Result<std::string> submit(JobSpec spec);
	// Stops the job. After submit the provider may still finish (and bill) the task: the job says so.
	Error cancel(const std::string &id);
	// Failed or cancelled jobs: before submit, submits again (from the kept frames); after, polls and
	// downloads again.
	Error retry(const std::string &id);
	// Removes a finished job from the list (and its kept frames; never the clip).
	Error remove(const std::string &id);
	// Puts a finished clip (again) into a scene or slot.
	Error addToScene(const std::string &id, JobTarget target, Playback playback);

	std::vector<Job> jobs() const; // newest first
	std::optional<Job> job(const std::string &id) const;

	// Called (on a worker thread) after every change of a job. Keep it short; marshal to your own thread.
	using Listener = std::function<void(const Job &)>;
	int subscribe(Listener listener);
	void unsubscribe(int id);

	// Settings changed: new key/base URL apply to the next request; more or fewer slots at once.
	void reconfigure(const ClientConfig &client, int maxConcurrent, const std::string &clipFolder);
	RunnerConfig config() const;

	// Cancels every transfer and wait (jobs stay as journaled: they resume next start) and joins every
	// thread. Returns how long it took.
	std::chrono::milliseconds shutdown();
	bool durable() const;
	// Why the journal could not be opened (empty when durable).
	Error journalError() const;

	struct Entry;
	// Where insertion results arrive; cleared at shutdown so a late result never touches a dead runner.
	struct Mailbox {
		std::mutex mutex;
		JobRunner *runner = nullptr;
	};

private:
	using EntryPtr = std::shared_ptr<Entry>;

	EntryPtr find(const std::string &id) const;
	void prepLoop();
	void startSlotThread(int index); // appends to slotThreads_: a named thread running slotLoop
	void slotLoop(int index);
	void controlLoop();
	void post(std::function<void()> task);

	void prepare(const EntryPtr &e);
	void process(const EntryPtr &e);
	void finishInsertion(const EntryPtr &e, InsertResult result);
	void requestInsertion(const EntryPtr &e);

	// Moves the job along the job machine's table and applies `change` to its other fields under the lock,
	// journals it when the table says so (synchronously on a worker, never on the caller of the public API), then
	// notifies listeners. False (and nothing changed) when the table refuses the event.
	bool advance(const EntryPtr &e, JobEvent event, const std::function<void(Job &)> &change = {});
	// Changes a job's other fields (progress, bytes, the claimed name) the same way; its state stays.
	void update(const EntryPtr &e, const std::function<void(Job &)> &change, bool persist = true);
	// The common part, with mutex_ held: the transition (if any), timings, the transition's log line.
	bool applyLocked(const EntryPtr &e, std::optional<JobEvent> event, const std::function<void(Job &)> &change,
			 bool *journal);
	void fail(const EntryPtr &e, Error error);
	void persist();
	void notify(const Job &snapshot);
	void resume(std::vector<Job> jobs);
	std::string framePath(const std::string &id, const char *suffix) const;
	void dropFiles(const Job &job) const;

	RunnerConfig config_;
	HttpEngine &engine_;
	FrameProvider *frames_;
	ClipInserter *inserter_;
	std::shared_ptr<Mailbox> mailbox_;
	std::unique_ptr<JobStore> store_;
	Error journalError_;

	mutable std::mutex mutex_;
	std::condition_variable cv_;
	std::vector<EntryPtr> entries_; // newest first
	std::deque<EntryPtr> prepQueue_;
	std::deque<EntryPtr> readyQueue_;
	std::deque<std::function<void()>> tasks_;
	std::map<int, Listener> listeners_;
	int nextListener_ = 1;
	bool started_ = false;
	bool stopping_ = false;
	int slotTarget_ = 0;
	std::uint64_t version_ = 0;

	std::mutex persistMutex_;
	std::uint64_t writtenVersion_ = 0;

	std::thread prepThread_;
	std::thread controlThread_;
	std::vector<std::thread> slotThreads_;
};

} // namespace seedance::core
