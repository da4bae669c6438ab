// Durable file operations: atomic replace (journal, settings), no-replace rename (clips), private file modes.
#pragma once

#include "error.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace seedance::core {

// Writes `content` to `path` through a temporary file in the same folder: write, flush, fsync, rename over the
// old file, fsync the folder. A crash leaves either the old or the new content, never a mix. With
// `privateMode` the file is created 0600 (POSIX) and an existing file's mode is never widened.
Error writeFileAtomic(const std::string &path, const std::string &content, bool privateMode = false);

// Reads a whole file (up to maxBytes; larger files are an error). nullopt when it does not exist.
std::optional<std::string> readFile(const std::string &path, std::uint64_t maxBytes, Error *error = nullptr);

// Moves `from` to `to` only if `to` does not exist (atomically where the platform allows).
Error renameNoReplace(const std::string &from, const std::string &to);

// fsync of an open stdio file (data reaches the disk before a rename publishes it).
bool syncFile(std::FILE *file);

// Creates an empty file, failing if the name exists (atomically: of two processes racing for one name, exactly
// one wins). `exists` tells that failure apart from others (a folder that cannot be written).
Error createFileExclusive(const std::string &path, bool *exists = nullptr);

Error makeDirectories(const std::string &path);
std::optional<std::uint64_t> fileSize(const std::string &path);
bool fileExists(const std::string &path);
void removeFile(const std::string &path);

// POSIX permission bits of a file (for tests of the 0600 contract); nullopt on Windows or error.
std::optional<unsigned> fileMode(const std::string &path);

} // namespace seedance::core
