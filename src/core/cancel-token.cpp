// CancelToken implementation.
#include "cancel-token.hpp"

#include <vector>

namespace seedance::core {

void CancelToken::cancel(CancelReason reason)
{
	std::vector<std::function<void()>> toRun;
	{
		std::lock_guard<std::mutex> lock(mutex_);
		if (reason_ != CancelReason::None)
			return;
		reason_ = reason == CancelReason::None ? CancelReason::User : reason;
		for (auto &[id, cb] : callbacks_)
			toRun.push_back(cb);
	}
	cv_.notify_all();
	for (auto &cb : toRun)
		cb();
}

bool CancelToken::cancelled() const
{
	std::lock_guard<std::mutex> lock(mutex_);
	return reason_ != CancelReason::None;
}

CancelReason CancelToken::reason() const
{
	std::lock_guard<std::mutex> lock(mutex_);
	return reason_;
}

bool CancelToken::waitFor(std::chrono::milliseconds duration) const
{
	std::unique_lock<std::mutex> lock(mutex_);
	return cv_.wait_for(lock, duration, [this] { return reason_ != CancelReason::None; });
}

int CancelToken::onCancel(std::function<void()> callback) const
{
	std::unique_lock<std::mutex> lock(mutex_);
	int id = nextId_++;
	if (reason_ != CancelReason::None) {
		lock.unlock();
		callback();
		return id;
	}
	callbacks_[id] = std::move(callback);
	return id;
}

void CancelToken::removeCallback(int id) const
{
	std::lock_guard<std::mutex> lock(mutex_);
	callbacks_.erase(id);
}

} // namespace seedance::core
