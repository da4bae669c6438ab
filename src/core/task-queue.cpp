// TaskQueue implementation.
#include "task-queue.hpp"

#include "thread-name.hpp"

namespace seedance::core {

TaskQueue::TaskQueue(const char *name)
	: thread_([this, name] {
		  setThreadName(name);
		  while (true) {
			  std::function<void(const CancelToken &)> task;
			  {
				  std::unique_lock<std::mutex> lock(mutex_);
				  cv_.wait(lock, [&] { return stopping_ || !tasks_.empty(); });
				  if (stopping_)
					  return;
				  task = std::move(tasks_.front());
				  tasks_.pop_front();
			  }
			  task(*cancel_);
		  }
	  })
{
}

TaskQueue::~TaskQueue()
{
	stop();
}

void TaskQueue::post(std::function<void(const CancelToken &)> task)
{
	{
		std::lock_guard<std::mutex> lock(mutex_);
		if (stopping_)
			return;
		tasks_.push_back(std::move(task));
	}
	cv_.notify_all();
}

void TaskQueue::stop()
{
	{
		std::lock_guard<std::mutex> lock(mutex_);
		if (stopping_ && !thread_.joinable())
			return;
		stopping_ = true;
		tasks_.clear();
	}
	cancel_->cancel(CancelReason::Shutdown);
	cv_.notify_all();
	if (thread_.joinable())
		thread_.join();
}

} // namespace seedance::core
