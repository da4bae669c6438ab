// Routes core log messages into the OBS log with the plugin's prefix.
#pragma once

namespace seedance::obs {

// Installs a core::LogSink that writes through blog() as "[obs-seedance] <message>".
void installLogSink();
void removeLogSink();

} // namespace seedance::obs
