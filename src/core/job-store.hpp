// The journal: every job, written atomically (temporary file, fsync, rename) before each transition is acted on.
// One journal per running OBS instance: the first instance owns jobs.json, a second one (obs --multi) gets
// jobs-2.json, and so on, each guarded by an OS file lock held for the process lifetime. On start, journals whose
// owner is gone are adopted (their jobs merged, the file removed), so no job is ever lost or written by two
// processes.
#pragma once

#include "error.hpp"
#include "job.hpp"

#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace seedance::core {

class JobStore {
public:
	static constexpr size_t kHistoryLimit = 200;
	static constexpr int kMaxInstances = 16;

	// `folder` holds the journals (plugin_config/obs-seedance). Nothing is opened until open().
	explicit JobStore(std::string folder);
	~JobStore();
	JobStore(const JobStore &) = delete;
	JobStore &operator=(const JobStore &) = delete;

	// Takes the first free instance slot and loads it plus every orphaned journal. A corrupt journal is set
	// aside as "<name>.corrupt-<time>" with a log line; the plugin starts clean, never crashes. Fails only
	// when no slot can be locked or the folder cannot be created (then jobs are not durable: the caller says so).
	Result<std::vector<Job>> open();

	// Writes all jobs (newest first), keeping the last kHistoryLimit terminal ones. Thread-safe; durable when
	// it returns. Jobs dropped from the history are returned in `dropped` (their frame files can go).
	Error write(const std::vector<Job> &jobs, std::vector<Job> *dropped = nullptr);

	const std::string &path() const { return path_; }
	int instance() const { return instance_; }

	struct Lock;

private:
	std::string folder_;
	std::string path_;
	int instance_ = 0;
	std::unique_ptr<Lock> lock_;
	std::mutex writeMutex_;
};

// Parses journal text; nullopt when it is not a journal at all (corrupt). Entries that are unusable are skipped.
std::optional<std::vector<Job>> parseJournal(const std::string &text);
std::string serializeJournal(const std::vector<Job> &jobs);

} // namespace seedance::core
