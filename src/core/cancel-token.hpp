// Cooperative cancellation shared by a job's waits and its HTTP transfers: cancel() wakes every wait at once.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>

namespace seedance::core {

enum class CancelReason {
	None,
	User,     // the streamer cancelled: the job ends "cancelled"
	Shutdown, // OBS is exiting: the job stays as journaled and resumes next start
};

class CancelToken {
public:
	CancelToken() = default;
	CancelToken(const CancelToken &) = delete;
	CancelToken &operator=(const CancelToken &) = delete;

	// Idempotent; the first reason wins.
	void cancel(CancelReason reason = CancelReason::User);
	bool cancelled() const;
	CancelReason reason() const;

	// Sleeps up to `duration`; returns true when cancelled (at once, or during the wait).
	bool waitFor(std::chrono::milliseconds duration) const;

	// Runs `callback` when cancel() is called (at once if already cancelled). Returns an id for remove.
	// Callbacks run on the cancelling thread and must not block.
	int onCancel(std::function<void()> callback) const;
	void removeCallback(int id) const;

private:
	mutable std::mutex mutex_;
	mutable std::condition_variable cv_;
	CancelReason reason_ = CancelReason::None;
	mutable std::map<int, std::function<void()>> callbacks_;
	mutable int nextId_ = 1;
};

} // namespace seedance::core
