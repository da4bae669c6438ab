// One background thread running queued tasks in order, for occasional blocking work requested by the UI (such
// as "Test key"). Joined by the destructor; tasks receive a token that stop() cancels.
#pragma once

#include "cancel-token.hpp"

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

namespace seedance::core {

class TaskQueue {
public:
	// `name` names the thread (at most 15 characters show on Linux).
	explicit TaskQueue(const char *name = "seedance-tasks");
	~TaskQueue();
	TaskQueue(const TaskQueue &) = delete;
	TaskQueue &operator=(const TaskQueue &) = delete;

	void post(std::function<void(const CancelToken &)> task);
	// Cancels the running task, drops the queued ones and joins the thread. Idempotent.
	void stop();

private:
	std::mutex mutex_;
	std::condition_variable cv_;
	std::deque<std::function<void(const CancelToken &)>> tasks_;
	std::shared_ptr<CancelToken> cancel_ = std::make_shared<CancelToken>();
	bool stopping_ = false;
	std::thread thread_;
};

} // namespace seedance::core
