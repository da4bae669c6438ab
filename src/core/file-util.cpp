// File helpers with crash-safe semantics.
#include "file-util.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>

#ifdef _WIN32
#include <io.h>
#include <windows.h>
#else
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

namespace fs = std::filesystem;

namespace seedance::core {

namespace {

Error diskError(const std::string &what, const std::string &path, int err)
{
	return makeError(ErrorKind::Disk, "Error.Disk.Write", what + " " + path + ": " + std::strerror(err),
			 {{"path", path}, {"reason", std::strerror(err)}});
}

std::string randomSuffix()
{
	static thread_local std::mt19937_64 rng{std::random_device{}()};
	char buf[17];
	std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(rng()));
	return buf;
}

#ifndef _WIN32
void syncDirectoryOf(const std::string &path)
{
	std::string dir = fs::u8path(path).parent_path().u8string();
	if (dir.empty())
		dir = ".";
	int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
	if (fd >= 0) {
		::fsync(fd);
		::close(fd);
	}
}
#endif

} // namespace

bool syncFile(std::FILE *file)
{
	if (std::fflush(file) != 0)
		return false;
#ifdef _WIN32
	return _commit(_fileno(file)) == 0;
#else
	return ::fsync(fileno(file)) == 0;
#endif
}

Error writeFileAtomic(const std::string &path, const std::string &content, bool privateMode)
{
	std::string tmp = path + ".tmp-" + randomSuffix();
#ifdef _WIN32
	std::FILE *f = _wfopen(fs::u8path(tmp).c_str(), L"wb");
	if (!f)
		return diskError("cannot create", tmp, errno);
	(void)privateMode; // Windows: the per-user profile folder's ACL already limits access
#else
	int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, privateMode ? 0600 : 0644);
	if (fd < 0)
		return diskError("cannot create", tmp, errno);
	std::FILE *f = ::fdopen(fd, "wb");
	if (!f) {
		int err = errno;
		::close(fd);
		::unlink(tmp.c_str());
		return diskError("cannot open", tmp, err);
	}
#endif
	errno = 0;
	bool ok = std::fwrite(content.data(), 1, content.size(), f) == content.size();
	ok = ok && syncFile(f);
	int err = errno ? errno : EIO;
	ok = (std::fclose(f) == 0) && ok;
	if (!ok) {
		removeFile(tmp);
		return diskError("cannot write", path, err);
	}
#ifdef _WIN32
	if (!MoveFileExW(fs::u8path(tmp).c_str(), fs::u8path(path).c_str(),
			 MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH)) {
		removeFile(tmp);
		return diskError("cannot replace", path, EIO);
	}
#else
	if (::rename(tmp.c_str(), path.c_str()) != 0) {
		err = errno;
		::unlink(tmp.c_str());
		return diskError("cannot replace", path, err);
	}
	syncDirectoryOf(path);
#endif
	return {};
}

std::optional<std::string> readFile(const std::string &path, std::uint64_t maxBytes, Error *error)
{
	std::error_code ec;
	if (!fs::exists(fs::u8path(path), ec))
		return std::nullopt;
	auto size = fs::file_size(fs::u8path(path), ec);
	if (ec || size > maxBytes) {
		if (error)
			*error = makeError(ErrorKind::Disk, "Error.Disk.Read",
					   path + (ec ? ": " + ec.message() : ": larger than expected"),
					   {{"path", path}});
		return std::nullopt;
	}
	std::ifstream in(fs::u8path(path), std::ios::binary);
	if (!in) {
		if (error)
			*error = makeError(ErrorKind::Disk, "Error.Disk.Read", "cannot open " + path, {{"path", path}});
		return std::nullopt;
	}
	std::string content(static_cast<size_t>(size), '\0');
	in.read(content.data(), static_cast<std::streamsize>(size));
	content.resize(static_cast<size_t>(in.gcount()));
	return content;
}

Error renameNoReplace(const std::string &from, const std::string &to)
{
#ifdef _WIN32
	if (!MoveFileExW(fs::u8path(from).c_str(), fs::u8path(to).c_str(), MOVEFILE_WRITE_THROUGH))
		return diskError("cannot move to", to, GetLastError() == ERROR_ALREADY_EXISTS ? EEXIST : EIO);
	return {};
#else
	// link() fails with EEXIST instead of replacing; then drop the old name.
	if (::link(from.c_str(), to.c_str()) == 0) {
		::unlink(from.c_str());
		syncDirectoryOf(to);
		return {};
	}
	int err = errno;
	if (err == EEXIST)
		return diskError("will not overwrite", to, err);
	// File systems without hard links (FAT, some network shares): check, then rename.
	if (fileExists(to))
		return diskError("will not overwrite", to, EEXIST);
	if (::rename(from.c_str(), to.c_str()) != 0)
		return diskError("cannot move to", to, errno);
	syncDirectoryOf(to);
	return {};
#endif
}

Error createFileExclusive(const std::string &path, bool *exists)
{
	if (exists)
		*exists = false;
#ifdef _WIN32
	HANDLE h = CreateFileW(fs::u8path(path).c_str(), GENERIC_WRITE, 0, nullptr, CREATE_NEW, FILE_ATTRIBUTE_NORMAL,
			       nullptr);
	if (h == INVALID_HANDLE_VALUE) {
		bool taken = GetLastError() == ERROR_FILE_EXISTS || GetLastError() == ERROR_ALREADY_EXISTS;
		if (exists)
			*exists = taken;
		return diskError("cannot create", path, taken ? EEXIST : EACCES);
	}
	CloseHandle(h);
#else
	int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0) {
		int err = errno;
		if (exists)
			*exists = err == EEXIST;
		return diskError("cannot create", path, err);
	}
	::close(fd);
#endif
	return {};
}

Error makeDirectories(const std::string &path)
{
	std::error_code ec;
	fs::create_directories(fs::u8path(path), ec);
	if (ec)
		return makeError(ErrorKind::Disk, "Error.Disk.Folder", "cannot create " + path + ": " + ec.message(),
				 {{"path", path}, {"reason", ec.message()}});
	return {};
}

std::optional<std::uint64_t> fileSize(const std::string &path)
{
	std::error_code ec;
	auto size = fs::file_size(fs::u8path(path), ec);
	if (ec)
		return std::nullopt;
	return size;
}

bool fileExists(const std::string &path)
{
	std::error_code ec;
	return fs::exists(fs::u8path(path), ec);
}

void removeFile(const std::string &path)
{
	std::error_code ec;
	fs::remove(fs::u8path(path), ec);
}

std::optional<unsigned> fileMode(const std::string &path)
{
#ifdef _WIN32
	(void)path;
	return std::nullopt;
#else
	struct stat st;
	if (::stat(path.c_str(), &st) != 0)
		return std::nullopt;
	return static_cast<unsigned>(st.st_mode & 07777);
#endif
}

} // namespace seedance::core
