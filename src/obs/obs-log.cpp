// Bridge from core logging (already redacted) to libobs blog().
#include "obs-log.hpp"

#include "core/log.hpp"

#include <util/base.h>

namespace seedance::obs {

void installLogSink()
{
	core::setLogSink([](core::LogLevel level, const std::string &message) {
		int obsLevel = LOG_INFO;
		switch (level) {
		case core::LogLevel::Debug:
			obsLevel = LOG_DEBUG;
			break;
		case core::LogLevel::Info:
			obsLevel = LOG_INFO;
			break;
		case core::LogLevel::Warning:
			obsLevel = LOG_WARNING;
			break;
		case core::LogLevel::Error:
			obsLevel = LOG_ERROR;
			break;
		}
		blog(obsLevel, "[obs-seedance] %s", message.c_str());
	});
}

void removeLogSink()
{
	core::setLogSink(nullptr);
}

} // namespace seedance::obs
