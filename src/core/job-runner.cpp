// JobRunner: the job state machine across the prep, slot and control workers.
#include "job-runner.hpp"

#include "clip-library.hpp"
#include "file-util.hpp"
#include "job/job-machine.hpp"
#include "runner/pipeline.hpp"
#include "log.hpp"
#include "redact.hpp"
#include "thread-name.hpp"

#include <algorithm>
#include <cmath>

namespace seedance::core {

struct JobRunner::Entry {
	Job job;
	std::shared_ptr<CancelToken> cancel = std::make_shared<CancelToken>();
	std::shared_ptr<FrameCapture> firstCapture;
	std::shared_ptr<FrameCapture> lastCapture;
	std::optional<EncodedFrame> first; // kept in memory between encoding and upload
	std::optional<EncodedFrame> last;
	bool busy = false; // a worker owns it (prep or slot)
};

namespace {

bool cancelledByUser(const CancelToken &token)
{
	return token.reason() == CancelReason::User;
}

constexpr const char *kNotDurable = "Notice.NotDurable";
constexpr const char *kSubmitDeferred = "Notice.SubmitDeferred";

Notice notDurable(const Error &why)
{
	return {kNotDurable, {{"reason", userMessage(why)}}};
}

Error cancelledError()
{
	return makeError(ErrorKind::Cancelled, "Error.Cancelled", "cancelled by the user");
}

// A job that just failed or was cancelled (JobMachine::fire has set `stage` to where it stopped) keeps why. Cancelled
// after the submit and before the clip was here, the provider may still finish and bill the task: the job says so.
void stopWith(Job &job, Error error)
{
	bool clipHere = job.stage == JobState::Inserting || job.stage == JobState::Completed;
	if (job.state == JobState::Cancelled && mayBeBilled(job.stage) && !clipHere)
		job.notice = {"Notice.MayStillBill", {}};
	job.error = std::move(error);
	job.etaSeconds.reset();
}

std::string shortPrompt(const std::string &prompt)
{
	std::string s = prompt.substr(0, 60);
	while (!s.empty() && (static_cast<unsigned char>(s.back()) & 0xC0) == 0x80)
		s.pop_back(); // never cut a UTF-8 sequence
	return s;
}

} // namespace

JobRunner::JobRunner(RunnerConfig config, HttpEngine &engine, FrameProvider *frames, ClipInserter *inserter)
	: config_(std::move(config)),
	  engine_(engine),
	  frames_(frames),
	  inserter_(inserter),
	  mailbox_(std::make_shared<Mailbox>())
{
	mailbox_->runner = this;
	config_.maxConcurrent = std::clamp(config_.maxConcurrent, 1, 20);
}

JobRunner::~JobRunner()
{
	shutdown();
}

Error JobRunner::start()
{
	std::vector<Job> loaded;
	store_ = std::make_unique<JobStore>(config_.dataFolder);
	auto opened = store_->open();
	if (opened) {
		loaded = std::move(*opened);
	} else {
		Error why = opened.error();
		if (why.messageKey != "Error.Journal.Locked")
			why.messageKey = "Error.Journal.Write"; // about the job list, not the clip folder
		logError("jobs will not survive a restart: " + describe(why));
		std::lock_guard<std::mutex> lock(mutex_);
		journalError_ = why;
		store_.reset();
	}
	makeDirectories(config_.dataFolder + "/frames");
	{
		std::lock_guard<std::mutex> lock(mutex_);
		started_ = true;
		slotTarget_ = config_.maxConcurrent;
	}
	resume(std::move(loaded));
	prepThread_ = std::thread([this] {
		setThreadName("seedance-prep");
		prepLoop();
	});
	controlThread_ = std::thread([this] {
		setThreadName("seedance-ctl");
		controlLoop();
	});
	for (int i = 0; i < config_.maxConcurrent; ++i)
		startSlotThread(i);
	return journalError();
}

void JobRunner::resume(std::vector<Job> jobs)
{
	std::vector<EntryPtr> ready;
	std::vector<EntryPtr> toInsert;
	{
		std::lock_guard<std::mutex> lock(mutex_);
		for (auto &job : jobs) {
			auto e = std::make_shared<Entry>();
			e->job = std::move(job);
			Job &j = e->job;
			switch (resumeAction(j, config_.insertResumedClips, fileExists(j.clipPath))) {
			case ResumeAction::FailInterrupted:
				// Nothing was sent to the provider: nothing billed, and a clip from an old frame would
				// surprise a streamer who is live again. Retry submits it from the kept frame.
				JobMachine::fire(j, JobEvent::Failed);
				j.error = makeError(ErrorKind::Cancelled, "Error.Interrupted",
						    "OBS stopped before submitting");
				break;
			case ResumeAction::FailOutcomeUnknown:
				// The create request may have reached the provider: never resubmit on our own.
				JobMachine::fire(j, JobEvent::Failed);
				j.outcomeUnknown = true;
				j.error = makeError(ErrorKind::OutcomeUnknown, "Error.OutcomeUnknown",
						    "OBS stopped while submitting");
				break;
			case ResumeAction::Poll:
				ready.push_back(e);
				break;
			case ResumeAction::Insert:
				toInsert.push_back(e);
				break;
			case ResumeAction::MarkReady:
				// Downloaded in an earlier session: ready, but not put into a live scene on our own.
				JobMachine::fire(j, JobEvent::FoundReady);
				j.inserted = false;
				j.notice = {"Notice.ReadyFromEarlier", {}};
				break;
			case ResumeAction::Keep:
				break;
			}
			entries_.push_back(e);
		}
		for (auto &e : ready) {
			e->busy = true;
			readyQueue_.push_back(e);
			logInfo("job " + e->job.id + " resumes (" + jobStateName(e->job.state) + ", task " +
				e->job.taskId + ")");
		}
	}
	persist();
	for (auto &e : toInsert)
		requestInsertion(e);
}

JobRunner::EntryPtr JobRunner::find(const std::string &id) const
{
	for (const auto &e : entries_)
		if (e->job.id == id)
			return e;
	return nullptr;
}

std::string JobRunner::framePath(const std::string &id, const char *suffix) const
{
	return config_.dataFolder + "/frames/" + id + suffix;
}

void JobRunner::dropFiles(const Job &job) const
{
	for (const auto &path : {job.firstFramePath, job.lastFramePath, job.thumbnailPath})
		if (!path.empty())
			removeFile(path);
}

// --- Public API (never blocks) ---------------------------------------------------------------------------

Result<std::string> JobRunner::submit(JobSpec spec)
{
	std::string aspectSetting = spec.request.aspectRatio.value_or("");
	GenerationRequest check = spec.request;
	if (check.aspectRatio && *check.aspectRatio == kCanvasRatio)
		check.aspectRatio.reset(); // resolved against the model's ratios when the frame is known
	FramePlan plan{true, spec.lastFrame.has_value()};
	if (Error e = validateRequest(check, ModelCatalog::builtin(), plan))
		return e;
	const ModelSpec &model = *ModelCatalog::builtin().find(check.model);
	if (spec.target.kind == JobTarget::Kind::Slot && spec.target.name.empty())
		return makeError(ErrorKind::InvalidInput, "Error.Invalid.Slot", "no slot name", {{"value", ""}});

	auto e = std::make_shared<Entry>();
	Job &j = e->job;
	j.id = newJobId();
	JobMachine::start(j);
	j.request = spec.request;
	j.aspectRatioSetting = aspectSetting.empty() ? model.defaultAspectRatio : aspectSetting;
	j.firstFrame = spec.firstFrame;
	j.lastFrame = spec.lastFrame;
	j.target = spec.target;
	j.playback = spec.playback;
	j.createdAt = j.updatedAt = unixNow();
	j.enteredAtMs[JobState::Capturing] = unixNowMs();
	{
		std::lock_guard<std::mutex> lock(mutex_);
		if (!store_ && journalError_)
			j.notice = notDurable(journalError_); // the streamer should know this job cannot resume
	}
	std::string resolution = spec.request.resolution.value_or(model.defaultResolution);

	{
		std::lock_guard<std::mutex> lock(mutex_);
		if (!started_ || stopping_)
			return makeError(ErrorKind::Internal, "Error.NotRunning", "runner not running");
		if (Error keyError = ToApisClient(engine_, config_.client).checkConfig())
			return keyError;
	}
	// The moment matters: capture now, before anything else queues up.
	if (frames_) {
		e->firstCapture = frames_->begin({spec.firstFrame, j.aspectRatioSetting, resolution, model.id});
		if (spec.lastFrame)
			e->lastCapture = frames_->begin({*spec.lastFrame, j.aspectRatioSetting, resolution, model.id});
	}
	Job snapshot;
	{
		std::lock_guard<std::mutex> lock(mutex_);
		e->busy = true;
		entries_.insert(entries_.begin(), e);
		prepQueue_.push_back(e);
		snapshot = j;
	}
	cv_.notify_all();
	logInfo("job " + snapshot.id + " submitted: " + model.id + ", \"" + shortPrompt(snapshot.request.prompt) +
		"\"");
	notify(snapshot);
	return snapshot.id;
}

Error JobRunner::cancel(const std::string &id)
{
	EntryPtr e;
	{
		std::lock_guard<std::mutex> lock(mutex_);
		e = find(id);
		if (!e)
			return makeError(ErrorKind::InvalidInput, "Error.NoSuchJob", "no job " + id, {{"job", id}});
		if (!JobMachine::canCancel(e->job))
			return {};
	}
	// The worker owning the job sees the token and records "cancelled" from where it was.
	e->cancel->cancel(CancelReason::User);
	bool idle;
	{
		std::lock_guard<std::mutex> lock(mutex_);
		auto drop = [&](std::deque<EntryPtr> &q) {
			auto it = std::remove(q.begin(), q.end(), e);
			bool found = it != q.end();
			q.erase(it, q.end());
			return found;
		};
		bool dequeued = drop(prepQueue_);
		dequeued = drop(readyQueue_) || dequeued;
		if (dequeued)
			e->busy = false; // queued, not yet in a worker's hands
		idle = !e->busy;
		if (JobMachine::canCancel(e->job) && (idle || e->job.state == JobState::Inserting)) {
			// Not in a worker's hands (or only waiting for the UI): cancel right here.
			applyLocked(
				e, JobEvent::Cancelled, [](Job &j) { stopWith(j, cancelledError()); }, nullptr);
			idle = true;
		}
	}
	if (idle) {
		Job snapshot = *job(id);
		post([this] { persist(); });
		notify(snapshot);
	}
	return {};
}

Error JobRunner::retry(const std::string &id)
{
	EntryPtr e;
	Job snapshot;
	{
		std::lock_guard<std::mutex> lock(mutex_);
		e = find(id);
		if (!e)
			return makeError(ErrorKind::InvalidInput, "Error.NoSuchJob", "no job " + id, {{"job", id}});
		Job &j = e->job;
		if (!JobMachine::canRetry(j))
			return makeError(ErrorKind::InvalidInput, "Error.NotRetryable",
					 "job is " + std::string(jobStateName(j.state)), {{"job", id}});
		if (e->busy)
			return makeError(ErrorKind::InvalidInput, "Error.NotRetryable", "job still stopping",
					 {{"job", id}});
		if (j.taskId.empty() && !fileExists(j.firstFramePath))
			return makeError(ErrorKind::InvalidInput, "Error.NoFrameKept", "no kept frame for " + id,
					 {{"job", id}});
		e->cancel = std::make_shared<CancelToken>();
		// With a task id: poll and download again. Without: submit again from the kept frames.
		applyLocked(
			e, JobMachine::retryEvent(j),
			[](Job &job) {
				job.error = {};
				job.notice = {};
				job.outcomeUnknown = false;
				job.progress = 0;
				job.etaSeconds.reset();
			},
			nullptr);
		e->busy = true;
		readyQueue_.push_back(e);
		snapshot = j;
	}
	cv_.notify_all();
	post([this] { persist(); });
	notify(snapshot);
	return {};
}

Error JobRunner::remove(const std::string &id)
{
	Job removed;
	{
		std::lock_guard<std::mutex> lock(mutex_);
		auto it = std::find_if(entries_.begin(), entries_.end(),
				       [&](const EntryPtr &p) { return p->job.id == id; });
		if (it == entries_.end())
			return makeError(ErrorKind::InvalidInput, "Error.NoSuchJob", "no job " + id, {{"job", id}});
		if (!JobMachine::canRemove((*it)->job) || (*it)->busy)
			return makeError(ErrorKind::InvalidInput, "Error.StillRunning", "job is running",
					 {{"job", id}});
		removed = (*it)->job;
		entries_.erase(it);
	}
	post([this, removed] {
		dropFiles(removed);
		persist();
	});
	return {};
}

Error JobRunner::addToScene(const std::string &id, JobTarget target, Playback playback)
{
	EntryPtr e;
	{
		std::lock_guard<std::mutex> lock(mutex_);
		e = find(id);
		if (!e)
			return makeError(ErrorKind::InvalidInput, "Error.NoSuchJob", "no job " + id, {{"job", id}});
		if (!JobMachine::canPlay(e->job))
			return makeError(ErrorKind::InvalidInput, "Error.NoClip", "job has no clip", {{"job", id}});
		if (!fileExists(e->job.clipPath))
			return makeError(ErrorKind::Disk, "Error.ClipMissing", e->job.clipPath + " is gone",
					 {{"path", e->job.clipPath}});
		e->job.target = target;
		e->job.playback = playback;
	}
	requestInsertion(e);
	return {};
}

std::vector<Job> JobRunner::jobs() const
{
	std::lock_guard<std::mutex> lock(mutex_);
	std::vector<Job> out;
	out.reserve(entries_.size());
	for (const auto &e : entries_)
		out.push_back(e->job);
	return out;
}

std::optional<Job> JobRunner::job(const std::string &id) const
{
	std::lock_guard<std::mutex> lock(mutex_);
	auto e = find(id);
	if (!e)
		return std::nullopt;
	return e->job;
}

int JobRunner::subscribe(Listener listener)
{
	std::lock_guard<std::mutex> lock(mutex_);
	int id = nextListener_++;
	listeners_[id] = std::move(listener);
	return id;
}

void JobRunner::unsubscribe(int id)
{
	std::lock_guard<std::mutex> lock(mutex_);
	listeners_.erase(id);
}

void JobRunner::reconfigure(const ClientConfig &client, int maxConcurrent, const std::string &clipFolder)
{
	registerSecret(client.apiKey);
	std::lock_guard<std::mutex> lock(mutex_);
	config_.client = client;
	config_.clipFolder = clipFolder;
	config_.maxConcurrent = std::clamp(maxConcurrent, 1, 20);
	slotTarget_ = config_.maxConcurrent;
	if (started_ && !stopping_) {
		for (int i = static_cast<int>(slotThreads_.size()); i < slotTarget_; ++i)
			startSlotThread(i);
	}
	cv_.notify_all();
}

RunnerConfig JobRunner::config() const
{
	std::lock_guard<std::mutex> lock(mutex_);
	return config_;
}

bool JobRunner::durable() const
{
	return store_ != nullptr;
}

Error JobRunner::journalError() const
{
	std::lock_guard<std::mutex> lock(mutex_);
	return journalError_;
}

std::chrono::milliseconds JobRunner::shutdown()
{
	auto start = std::chrono::steady_clock::now();
	{
		std::lock_guard<std::mutex> lock(mailbox_->mutex);
		mailbox_->runner = nullptr; // late insertion results are dropped (the job resumes as "ready")
	}
	std::vector<EntryPtr> all;
	{
		std::lock_guard<std::mutex> lock(mutex_);
		if (stopping_ || !started_) {
			stopping_ = true;
			return std::chrono::milliseconds(0);
		}
		stopping_ = true;
		all = entries_;
	}
	// Shutdown, not cancel: every job stays as journaled and resumes next start.
	for (auto &e : all)
		e->cancel->cancel(CancelReason::Shutdown);
	cv_.notify_all();
	if (prepThread_.joinable())
		prepThread_.join();
	for (auto &t : slotThreads_)
		if (t.joinable())
			t.join();
	if (controlThread_.joinable())
		controlThread_.join();
	persist(); // already current; a last write costs nothing and covers the control queue's leftovers
	auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
	logInfo("job runner stopped in " + std::to_string(took.count()) + " ms");
	return took;
}

// --- Workers -------------------------------------------------------------------------------------------

void JobRunner::post(std::function<void()> task)
{
	{
		std::lock_guard<std::mutex> lock(mutex_);
		tasks_.push_back(std::move(task));
	}
	cv_.notify_all();
}

void JobRunner::controlLoop()
{
	while (true) {
		std::function<void()> task;
		{
			std::unique_lock<std::mutex> lock(mutex_);
			cv_.wait(lock, [&] { return stopping_ || !tasks_.empty(); });
			if (tasks_.empty())
				return; // stopping with nothing left
			task = std::move(tasks_.front());
			tasks_.pop_front();
		}
		task();
	}
}

void JobRunner::prepLoop()
{
	while (true) {
		EntryPtr e;
		{
			std::unique_lock<std::mutex> lock(mutex_);
			cv_.wait(lock, [&] { return stopping_ || !prepQueue_.empty(); });
			if (stopping_)
				return;
			e = prepQueue_.front();
			prepQueue_.pop_front();
		}
		prepare(e);
	}
}

void JobRunner::slotLoop(int index)
{
	while (true) {
		EntryPtr e;
		{
			std::unique_lock<std::mutex> lock(mutex_);
			// A slot above the configured count idles until the count is raised again.
			cv_.wait(lock, [&] { return stopping_ || (index < slotTarget_ && !readyQueue_.empty()); });
			if (stopping_)
				return;
			e = readyQueue_.front();
			readyQueue_.pop_front();
		}
		process(e);
	}
}

void JobRunner::prepare(const EntryPtr &e)
{
	const CancelToken &cancel = *e->cancel;
	auto stop = [&](Error error) {
		if (cancel.reason() == CancelReason::Shutdown)
			return; // journaled as capturing/encoding: reported as interrupted next start
		fail(e, std::move(error));
	};
	update(e, [](Job &) {}); // journal the new job before acting on it
	if (!e->firstCapture) {
		stop(makeError(ErrorKind::Capture, "Error.Capture.Unavailable", "no frame provider"));
		return;
	}
	if (Error err = e->firstCapture->waitCaptured(cancel)) {
		stop(cancelledByUser(cancel) ? makeError(ErrorKind::Cancelled, "Error.Cancelled", "cancelled") : err);
		return;
	}
	if (e->lastCapture)
		if (Error err = e->lastCapture->waitCaptured(cancel)) {
			stop(err);
			return;
		}
	advance(e, JobEvent::Captured);
	auto first = e->firstCapture->encode(cancel);
	if (!first) {
		stop(first.error());
		return;
	}
	std::optional<EncodedFrame> last;
	if (e->lastCapture) {
		auto encoded = e->lastCapture->encode(cancel);
		if (!encoded) {
			stop(encoded.error());
			return;
		}
		last = std::move(*encoded);
	}
	e->firstCapture.reset(); // the raw pixels are no longer needed
	e->lastCapture.reset();

	// Keep the encoded frames: Retry submits them again, the job list shows the thumbnail.
	const std::string id = e->job.id;
	std::string firstPath =
		framePath(id, std::string("-first.").append(fileExtension(first->image.format)).c_str());
	std::string lastPath =
		last ? framePath(id, std::string("-last.").append(fileExtension(last->image.format)).c_str())
		     : std::string();
	std::string thumbPath = framePath(id, "-thumb.jpg");
	bool kept = !writeFileAtomic(firstPath, first->image.bytes, true);
	if (last)
		kept = kept && !writeFileAtomic(lastPath, last->image.bytes, true);
	if (!first->image.thumbnailJpeg.empty())
		writeFileAtomic(thumbPath, first->image.thumbnailJpeg, true);
	if (!kept)
		logWarning("job " + id + ": could not keep the frames in " + config_.dataFolder +
			   "/frames (Retry will need a new capture)");

	std::string resolved = first->aspectRatio;
	e->first = std::move(*first);
	e->last = std::move(last);
	advance(e, JobEvent::Encoded, [&](Job &j) {
		j.request.aspectRatio = resolved;
		j.firstFramePath = kept ? firstPath : std::string();
		j.lastFramePath = kept ? lastPath : std::string();
		j.thumbnailPath = fileExists(thumbPath) ? thumbPath : std::string();
	});
	{
		std::lock_guard<std::mutex> lock(mutex_);
		if (stopping_)
			return;
		readyQueue_.push_back(e);
	}
	cv_.notify_all();
}

void JobRunner::process(const EntryPtr &e)
{
	const CancelToken &cancel = *e->cancel;
	RunnerConfig cfg = config();
	ToApisClient client(engine_, cfg.client);
	auto stopped = [&](const Error &error) {
		// Shutdown leaves the job as journaled (it resumes); anything else is a final state.
		if (cancel.reason() == CancelReason::Shutdown) {
			std::lock_guard<std::mutex> lock(mutex_);
			e->busy = false;
			return;
		}
		// Cancelled by the streamer: "cancelled", even mid-submit (then outcomeUnknown stays set and the job
		// warns that the provider may still bill).
		if (cancelledByUser(cancel))
			fail(e, makeError(ErrorKind::Cancelled, "Error.Cancelled", "cancelled by the user"));
		else
			fail(e, error);
	};
	Job j = *job(e->job.id);
	const ModelSpec *spec = ModelCatalog::builtin().find(j.request.model);
	if (!spec) {
		stopped(makeError(ErrorKind::InvalidInput, "Error.Invalid.Model", "unknown model " + j.request.model,
				  {{"value", j.request.model}, {"allowed", ModelCatalog::kDefaultModel}}));
		return;
	}

	if (j.state == JobState::Waiting) {
		advance(e, JobEvent::UploadStarted);
		// Frames from memory, or from the kept files after a retry.
		auto bytesOf = [&](const std::optional<EncodedFrame> &frame,
				   const std::string &path) -> std::optional<std::string> {
			if (frame)
				return frame->image.bytes;
			return readFile(path, kMaxUploadBytes + 1);
		};
		auto firstBytes = bytesOf(e->first, j.firstFramePath);
		if (!firstBytes) {
			stopped(makeError(ErrorKind::InvalidInput, "Error.NoFrameKept", "first frame missing",
					  {{"job", j.id}}));
			return;
		}
		auto firstUp = client.uploadImage(*firstBytes, "first-frame", cancel);
		if (!firstUp) {
			stopped(firstUp.error());
			return;
		}
		GenerationRequest request = j.request;
		request.firstFrameUrl = firstUp->url;
		if (j.lastFrame) {
			auto lastBytes = bytesOf(e->last, j.lastFramePath);
			if (!lastBytes) {
				stopped(makeError(ErrorKind::InvalidInput, "Error.NoFrameKept", "last frame missing",
						  {{"job", j.id}}));
				return;
			}
			auto lastUp = client.uploadImage(*lastBytes, "last-frame", cancel);
			if (!lastUp) {
				stopped(lastUp.error());
				return;
			}
			request.lastFrameUrl = lastUp->url;
		}
		e->first.reset();
		e->last.reset();
		if (cancel.cancelled()) {
			stopped(makeError(ErrorKind::Cancelled, "Error.Cancelled", "cancelled"));
			return;
		}

		SubmitHooks hooks;
		hooks.beforeAttempt = [&] {
			// Journaled before the request: if OBS dies now, the next start knows the outcome is unknown.
			advance(e, JobEvent::SubmitStarted, [](Job &job) {
				++job.attempts;
				if (job.notice.key == kSubmitDeferred)
					job.notice = {};
			});
		};
		hooks.deferred = [&](int seconds, const Error &why) {
			// Refused for now, nothing created: wait (as "waiting", which a restart reports as never
			// submitted) and submit again, while jobs already at the provider keep polling.
			logInfo("job " + j.id + ": submit refused for now (" + describe(why) +
				"), submitting again in " + std::to_string(seconds) + " s");
			advance(e, JobEvent::SubmitDeferred, [&](Job &job) {
				job.notice = {kSubmitDeferred, {{"seconds", std::to_string(seconds)}}};
			});
		};
		auto created = submitTask(client, request, *spec, cfg.submitWait, cancel, hooks);
		if (!created) {
			Error err = created.error();
			if (err.kind == ErrorKind::OutcomeUnknown)
				update(
					e, [](Job &job) { job.outcomeUnknown = true; }, false);
			stopped(err);
			return;
		}
		// The task id is journaled the moment it is known: from here on the job always resumes.
		std::string taskId = created->id;
		bool running = created->state == TaskState::Waiting && created->progress.value_or(0) > 0;
		advance(e, running ? JobEvent::TaskRunning : JobEvent::TaskQueued, [&](Job &job) {
			job.taskId = taskId;
			job.submittedAt = unixNow();
			job.progress = created->progress.value_or(0);
		});
		logInfo("job " + j.id + " submitted as task " + taskId);
		j = *job(e->job.id);
	}

	// Poll (a resumed or retried job starts here), then download.
	if (j.expiresAt && unixNow() >= *j.expiresAt) {
		stopped(makeError(ErrorKind::Expired, "Error.Download.Gone", "result URL expired"));
		return;
	}
	double submittedAt = monotonicSeconds();
	if (j.submittedAt && j.state != JobState::Downloading) {
		// Resumed: the provider kept working meanwhile; the schedule counts from now, the first poll still
		// waits the documented 5 s only for a fresh submit.
		double age = static_cast<double>(unixNow() - *j.submittedAt);
		submittedAt -= std::clamp(age, 0.0, cfg.poll.firstDelay);
	}
	auto done = client.waitForTask(
		j.taskId, submittedAt, cfg.poll, cancel, [&](const TaskSnapshot &t, std::optional<double> secondsLeft) {
			bool running = t.progress.value_or(0) > 0 || t.status == "in_progress" || t.status == "running";
			// Journaled when the state changes, not for every progress step.
			advance(e, running ? JobEvent::TaskRunning : JobEvent::TaskQueued, [&](Job &job) {
				job.progress = t.progress.value_or(job.progress);
				job.etaSeconds = secondsLeft;
			});
		});
	if (!done) {
		stopped(done.error());
		return;
	}
	std::string videoUrl = done->videoUrl; // signed: kept in memory only, never journaled
	auto expires = done->expiresAt;

	advance(e, JobEvent::TaskSucceeded, [&](Job &job) {
		job.progress = 100;
		job.etaSeconds.reset();
		job.expiresAt = expires;
		job.completedAt = unixNow();
	});
	Error folderError = makeDirectories(cfg.clipFolder);
	if (folderError) {
		stopped(folderError); // the task stays: Retry downloads it once the folder works
		return;
	}
	// A download this job began before OBS exited or crashed left its ".part": it is this job's own (claimed
	// below), so it goes, and the name is free again.
	if (!j.downloadPath.empty())
		removeFile(j.downloadPath + ".part");
	// Claim the name by creating its ".part" (never two downloads into one file).
	auto claimed = claimClipPath(cfg.clipFolder, j.request.prompt, j.createdAt);
	if (!claimed) {
		stopped(claimed.error()); // the folder exists but refuses files: the task stays, Retry downloads it
		return;
	}
	const std::string clipPath = *claimed;
	update(e, [&](Job &job) { job.downloadPath = clipPath; });
	auto file = client.download(videoUrl, clipPath, cancel,
				    [&](std::uint64_t received, std::optional<std::uint64_t> total) {
					    update(
						    e,
						    [&](Job &job) {
							    job.downloadedBytes = received;
							    job.downloadTotalBytes = total.value_or(0);
						    },
						    false);
				    });
	if (!file) {
		stopped(file.error());
		return;
	}
	advance(e, JobEvent::Downloaded, [&](Job &job) {
		job.clipPath = file->path;
		job.downloadPath.clear();
	});
	logInfo("job " + j.id + " downloaded " + std::to_string(file->bytes) + " bytes to " + file->path);
	requestInsertion(e);
}

void JobRunner::requestInsertion(const EntryPtr &e)
{
	Job snapshot;
	{
		std::lock_guard<std::mutex> lock(mutex_);
		e->busy = false; // the slot is free; the UI finishes the job
		snapshot = e->job;
	}
	if (snapshot.target.kind == JobTarget::Kind::Library || !inserter_) {
		post([this, e] { finishInsertion(e, InsertResult{}); });
		return;
	}
	advance(e, JobEvent::InsertRequested);
	std::weak_ptr<Entry> weak = e;
	std::shared_ptr<Mailbox> mailbox = mailbox_;
	inserter_->insert(snapshot, [mailbox, weak](InsertResult result) {
		// May arrive on the UI thread, even after shutdown: the mailbox knows whether the runner still exists.
		// Journal writes happen on the control worker.
		std::lock_guard<std::mutex> lock(mailbox->mutex);
		auto entry = weak.lock();
		if (!mailbox->runner || !entry)
			return;
		JobRunner *runner = mailbox->runner;
		runner->post([runner, entry, result = std::move(result)]() mutable {
			runner->finishInsertion(entry, std::move(result));
		});
	});
}

void JobRunner::finishInsertion(const EntryPtr &e, InsertResult result)
{
	{
		std::lock_guard<std::mutex> lock(mutex_);
		if (e->job.state == JobState::Cancelled)
			return;
	}
	bool library = e->job.target.kind == JobTarget::Kind::Library;
	advance(e, JobEvent::Inserted, [&](Job &job) {
		job.progress = 100;
		job.inserted = !library && !result.error;
		if (job.inserted) {
			job.sceneName = result.sceneName;
			job.sourceName = result.sourceName;
			job.notice = result.notice;
		} else if (result.error) {
			// The clip is safe in the library; say why it is not on air.
			job.notice = result.notice.empty()
					     ? Notice{"Notice.NotInserted", {{"reason", userMessage(result.error)}}}
					     : result.notice;
		}
	});
	if (result.error)
		logWarning("job " + e->job.id + ": clip kept in the library, not inserted: " + describe(result.error));
}

// --- State changes ---------------------------------------------------------------------------------------

void JobRunner::startSlotThread(int index)
{
	slotThreads_.emplace_back([this, index] {
		setThreadName("seedance-slot");
		slotLoop(index);
	});
}

bool JobRunner::applyLocked(const EntryPtr &e, std::optional<JobEvent> event, const std::function<void(Job &)> &change,
			    bool *journal)
{
	Job &job = e->job;
	JobState before = job.state;
	if (event) {
		auto t = JobMachine::fire(job, *event);
		if (!t) {
			logWarning("job " + job.id + ": " + jobEventName(*event) + " does not apply while " +
				   jobStateName(before) + "; ignored");
			return false;
		}
		if (journal)
			*journal = t->journal;
	}
	if (change)
		change(job);
	job.updatedAt = unixNow();
	job.enteredAtMs.emplace(job.state, unixNowMs());
	if (isTerminal(job.state))
		e->busy = false;
	if (before != job.state)
		logInfo("job " + job.id + ": " + jobStateName(before) + " → " + jobStateName(job.state));
	return true;
}

void JobRunner::update(const EntryPtr &e, const std::function<void(Job &)> &change, bool persistNow)
{
	Job snapshot;
	{
		std::lock_guard<std::mutex> lock(mutex_);
		applyLocked(e, std::nullopt, change, nullptr);
		snapshot = e->job;
	}
	if (persistNow)
		persist();
	notify(snapshot);
}

bool JobRunner::advance(const EntryPtr &e, JobEvent event, const std::function<void(Job &)> &change)
{
	Job snapshot;
	bool journal = false;
	{
		std::lock_guard<std::mutex> lock(mutex_);
		if (!applyLocked(e, event, change, &journal))
			return false;
		snapshot = e->job;
	}
	if (journal)
		persist();
	notify(snapshot);
	return true;
}

void JobRunner::fail(const EntryPtr &e, Error error)
{
	bool cancelled = error.kind == ErrorKind::Cancelled;
	advance(e, cancelled ? JobEvent::Cancelled : JobEvent::Failed, [&](Job &job) {
		if (!cancelled)
			logWarning("job " + job.id + " failed while " + jobStateName(job.stage) + ": " +
				   describe(error));
		stopWith(job, std::move(error));
	});
}

void JobRunner::persist()
{
	if (!store_)
		return;
	std::vector<Job> snapshot;
	std::uint64_t version;
	{
		std::lock_guard<std::mutex> lock(mutex_);
		version = ++version_;
		snapshot.reserve(entries_.size());
		for (const auto &e : entries_) {
			snapshot.push_back(e->job);
			if (snapshot.back().notice.key == kNotDurable)
				snapshot.back().notice = {}; // about this session's disk, not worth keeping
		}
	}
	std::lock_guard<std::mutex> guard(persistMutex_);
	if (version < writtenVersion_)
		return; // a newer snapshot (which includes this change) is already on disk
	std::vector<Job> dropped;
	if (Error e = store_->write(snapshot, &dropped)) {
		logError("journal: " + describe(e));
		// Say it where the streamer looks: on every running job, which would not resume after a restart.
		std::vector<Job> warned;
		{
			std::lock_guard<std::mutex> lock(mutex_);
			journalError_ = e;
			for (auto &entry : entries_)
				if (!isTerminal(entry->job.state) && entry->job.notice.empty()) {
					entry->job.notice = notDurable(e);
					warned.push_back(entry->job);
				}
		}
		for (const auto &job : warned)
			notify(job);
		return;
	}
	writtenVersion_ = version;
	std::vector<Job> cleared;
	{
		std::lock_guard<std::mutex> lock(mutex_);
		if (journalError_) {
			journalError_ = {};
			for (auto &entry : entries_)
				if (entry->job.notice.key == kNotDurable) {
					entry->job.notice = {};
					cleared.push_back(entry->job);
				}
		}
	}
	for (const auto &job : cleared)
		notify(job);
	if (!dropped.empty()) {
		std::lock_guard<std::mutex> lock(mutex_);
		for (const auto &d : dropped) {
			entries_.erase(std::remove_if(entries_.begin(), entries_.end(),
						      [&](const EntryPtr &p) { return p->job.id == d.id && !p->busy; }),
				       entries_.end());
			dropFiles(d);
		}
	}
}

void JobRunner::notify(const Job &snapshot)
{
	std::vector<Listener> listeners;
	{
		std::lock_guard<std::mutex> lock(mutex_);
		for (const auto &[id, l] : listeners_)
			listeners.push_back(l);
	}
	for (const auto &l : listeners)
		l(snapshot);
}

} // namespace seedance::core
