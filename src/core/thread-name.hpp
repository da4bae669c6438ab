// Names the calling thread ("seedance-http", ...) so that top -H, perf, debuggers and build-aux/bench can tell the
// plugin's threads from OBS's. Linux keeps 15 characters.
#pragma once

namespace seedance::core {

void setThreadName(const char *name);

} // namespace seedance::core
