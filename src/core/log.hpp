// Logging for core code: a sink installed by the host (OBS's blog, the CLI's stderr, tests), always redacted.
#pragma once

#include <functional>
#include <string>
#include <string_view>

namespace seedance::core {

enum class LogLevel { Debug, Info, Warning, Error };

using LogSink = std::function<void(LogLevel, const std::string &)>;

// Installs the sink (thread-safe). Without one, messages are dropped.
void setLogSink(LogSink sink);

// Redacts `message` (see redact.hpp) and hands it to the sink.
void log(LogLevel level, std::string_view message);

inline void logInfo(std::string_view message)
{
	log(LogLevel::Info, message);
}
inline void logWarning(std::string_view message)
{
	log(LogLevel::Warning, message);
}
inline void logError(std::string_view message)
{
	log(LogLevel::Error, message);
}
inline void logDebug(std::string_view message)
{
	log(LogLevel::Debug, message);
}

} // namespace seedance::core
