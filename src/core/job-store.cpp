// Journal files and their instance locks.
#include "job-store.hpp"

#include "file-util.hpp"
#include "log.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <map>

#ifdef _WIN32
#include <windows.h>
#else
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>
#endif

namespace seedance::core {

using nlohmann::json;

// An exclusive, non-blocking lock on a file, released when the process exits (even by SIGKILL or a crash).
struct JobStore::Lock {
#ifdef _WIN32
	HANDLE handle = INVALID_HANDLE_VALUE;
#else
	int fd = -1;
#endif
	static std::unique_ptr<Lock> tryAcquire(const std::string &path)
	{
		auto lock = std::make_unique<Lock>();
#ifdef _WIN32
		lock->handle = CreateFileW(std::filesystem::u8path(path).c_str(), GENERIC_READ | GENERIC_WRITE,
					   FILE_SHARE_READ | FILE_SHARE_WRITE, nullptr, OPEN_ALWAYS,
					   FILE_ATTRIBUTE_NORMAL, nullptr);
		if (lock->handle == INVALID_HANDLE_VALUE)
			return nullptr;
		OVERLAPPED overlapped = {};
		if (!LockFileEx(lock->handle, LOCKFILE_EXCLUSIVE_LOCK | LOCKFILE_FAIL_IMMEDIATELY, 0, 1, 0,
				&overlapped))
			return nullptr;
#else
		lock->fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
		if (lock->fd < 0)
			return nullptr;
		if (::flock(lock->fd, LOCK_EX | LOCK_NB) != 0)
			return nullptr;
#endif
		return lock;
	}
	~Lock()
	{
#ifdef _WIN32
		if (handle != INVALID_HANDLE_VALUE)
			CloseHandle(handle);
#else
		if (fd >= 0)
			::close(fd); // releases the flock
#endif
	}
};

namespace {

std::string journalName(int instance)
{
	return instance == 1 ? "jobs.json" : "jobs-" + std::to_string(instance) + ".json";
}

void setAside(const std::string &path, const std::string &why)
{
	std::string aside = path + ".corrupt-" + std::to_string(unixNow());
	std::error_code ec;
	std::filesystem::rename(std::filesystem::u8path(path), std::filesystem::u8path(aside), ec);
	logWarning("journal " + path + " is unreadable (" + why + "); set aside as " + aside +
		   " and starting with an empty job list");
}

// Reads one journal; a corrupt file is set aside. Returns its jobs (possibly none).
std::vector<Job> loadJournal(const std::string &path)
{
	Error readError;
	auto text = readFile(path, 64u << 20, &readError);
	if (!text) {
		if (readError)
			setAside(path, readError.detail);
		return {};
	}
	if (text->empty())
		return {};
	auto jobs = parseJournal(*text);
	if (!jobs) {
		setAside(path, "not a journal");
		return {};
	}
	return *jobs;
}

} // namespace

std::optional<std::vector<Job>> parseJournal(const std::string &text)
{
	json root = json::parse(text, nullptr, false);
	if (root.is_discarded() || !root.is_object())
		return std::nullopt;
	auto list = root.find("jobs");
	if (list == root.end() || !list->is_array())
		return std::nullopt;
	std::vector<Job> jobs;
	for (const auto &entry : *list) {
		if (auto job = jobFromJson(entry))
			jobs.push_back(std::move(*job));
		else
			logWarning("journal: skipped an unusable job entry");
	}
	return jobs;
}

std::string serializeJournal(const std::vector<Job> &jobs)
{
	json list = json::array();
	for (const auto &job : jobs)
		list.push_back(jobToJson(job));
	// Strings that are not UTF-8 (an error page's title in Latin-1, a prompt from a non-UTF-8 terminal) would
	// make dump() throw inside the runner: they are written with U+FFFD in place of the bad bytes instead.
	return json{{"version", 1}, {"jobs", list}}.dump(1, ' ', false, json::error_handler_t::replace);
}

JobStore::JobStore(std::string folder) : folder_(std::move(folder)) {}

JobStore::~JobStore() = default;

Result<std::vector<Job>> JobStore::open()
{
	if (Error e = makeDirectories(folder_))
		return e;
	for (int i = 1; i <= kMaxInstances && !lock_; ++i) {
		auto lock = Lock::tryAcquire(folder_ + "/" + journalName(i) + ".lock");
		if (lock) {
			lock_ = std::move(lock);
			instance_ = i;
		}
	}
	if (!lock_)
		return makeError(ErrorKind::Disk, "Error.Journal.Locked",
				 "no free journal slot in " + folder_ + " (more than 16 OBS instances?)",
				 {{"path", folder_}});
	path_ = folder_ + "/" + journalName(instance_);

	std::vector<Job> jobs = loadJournal(path_);
	// Adopt journals of instances that are gone (their lock is free): their jobs continue here.
	for (int i = 1; i <= kMaxInstances; ++i) {
		if (i == instance_)
			continue;
		std::string other = folder_ + "/" + journalName(i);
		if (!fileExists(other))
			continue;
		auto otherLock = Lock::tryAcquire(other + ".lock");
		if (!otherLock)
			continue; // another OBS instance owns it
		std::vector<Job> adopted = loadJournal(other);
		std::map<std::string, bool> known;
		for (const auto &j : jobs)
			known[j.id] = true;
		size_t count = 0;
		for (auto &j : adopted)
			if (!known[j.id]) {
				jobs.push_back(std::move(j));
				++count;
			}
		// Persist the merge before the other file goes, so a crash in between loses nothing.
		std::sort(jobs.begin(), jobs.end(),
			  [](const Job &a, const Job &b) { return a.createdAt > b.createdAt; });
		if (Error e = write(jobs))
			return e;
		removeFile(other);
		if (count)
			logInfo("adopted " + std::to_string(count) + " job(s) from " + journalName(i));
	}
	std::sort(jobs.begin(), jobs.end(), [](const Job &a, const Job &b) { return a.createdAt > b.createdAt; });
	return jobs;
}

Error JobStore::write(const std::vector<Job> &jobs, std::vector<Job> *dropped)
{
	std::lock_guard<std::mutex> guard(writeMutex_);
	if (path_.empty())
		return makeError(ErrorKind::Internal, "Error.Journal.Write", "journal not open", {{"path", folder_}});
	// Keep every active job, and the newest kHistoryLimit finished ones.
	std::vector<Job> kept;
	size_t finished = 0;
	for (const auto &job : jobs) {
		if (isTerminal(job.state) && ++finished > kHistoryLimit) {
			if (dropped)
				dropped->push_back(job);
			continue;
		}
		kept.push_back(job);
	}
	if (Error e = writeFileAtomic(path_, serializeJournal(kept), true)) {
		e.messageKey = "Error.Journal.Write";
		return e;
	}
	return {};
}

} // namespace seedance::core
