// Redacting log dispatcher.
#include "log.hpp"

#include "redact.hpp"

#include <mutex>

namespace seedance::core {

namespace {
std::mutex &sinkMutex()
{
	static std::mutex m;
	return m;
}
LogSink &currentSink()
{
	static LogSink sink;
	return sink;
}
} // namespace

void setLogSink(LogSink sink)
{
	std::lock_guard<std::mutex> lock(sinkMutex());
	currentSink() = std::move(sink);
}

void log(LogLevel level, std::string_view message)
{
	std::string clean = redact(message);
	std::lock_guard<std::mutex> lock(sinkMutex());
	if (currentSink())
		currentSink()(level, clean);
}

} // namespace seedance::core
