// The clip library: where clips are saved and what they are called. Names are YYYYMMDD-HHMMSS-<prompt slug>.mp4,
// sanitised for every platform (no separators, no reserved names or characters), never overwriting.
#pragma once

#include <cstdint>
#include <string>

namespace seedance::core {

// A short, safe slug of the prompt: letters and digits of any script kept (Chinese prompts stay readable), other
// characters become '-', at most `maxChars` characters, never empty ("clip"), never a reserved device name.
std::string promptSlug(const std::string &prompt, size_t maxChars = 40);

// Makes one path component safe on Windows, macOS and Linux: strips separators, control and reserved characters
// (<>:"/\|?*), leading/trailing dots and spaces, and renames reserved device names (CON, NUL, COM1, ...).
std::string sanitizeFileName(const std::string &name);

// "<folder>/<YYYYMMDD-HHMMSS>-<slug>.mp4" for `unixTime` in local time; "-2", "-3", ... when taken.
std::string uniqueClipPath(const std::string &folder, const std::string &prompt, std::int64_t unixTime);

} // namespace seedance::core
