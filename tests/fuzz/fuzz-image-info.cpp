// Fuzz target: image header sniffing (probeImage) and the upload check built on it (checkUploadable), which read
// any file a user picks as a first or last frame. Input: the file's bytes.
#include "fuzz-support.hpp"

#include "core/image-info.hpp"

#include <cstring>
#include <vector>

using namespace seedance;
using core::ImageFormat;

namespace {

bool startsWith(const std::uint8_t *data, size_t size, const char *magic, size_t length)
{
	return size >= length && std::memcmp(data, magic, length) == 0;
}

bool sameInfo(const std::optional<core::ImageInfo> &a, const std::optional<core::ImageInfo> &b)
{
	if (!a || !b)
		return !a && !b;
	return a->format == b->format && a->width == b->width && a->height == b->height;
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
	fuzz::init();
	return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, size_t size)
{
	auto info = core::probeImage(data, size);
	if (info) {
		FUZZ_CHECK(info->width > 0 && info->height > 0 && info->width <= 1000000 && info->height <= 1000000);
		FUZZ_CHECK(std::strlen(core::mimeType(info->format)) > 0);
		FUZZ_CHECK(std::strlen(core::fileExtension(info->format)) > 0);
		// The format is the one the file's signature says (the MIME type is sent with the upload).
		switch (info->format) {
		case ImageFormat::Jpeg:
			FUZZ_CHECK(startsWith(data, size, "\xFF\xD8\xFF", 3));
			break;
		case ImageFormat::Png:
			FUZZ_CHECK(startsWith(data, size, "\x89PNG\r\n\x1A\n", 8));
			break;
		case ImageFormat::Gif:
			FUZZ_CHECK(startsWith(data, size, "GIF87a", 6) || startsWith(data, size, "GIF89a", 6));
			break;
		case ImageFormat::Webp:
			FUZZ_CHECK(startsWith(data, size, "RIFF", 4) && size >= 12 &&
				   std::memcmp(data + 8, "WEBP", 4) == 0);
			break;
		case ImageFormat::Bmp:
			FUZZ_CHECK(startsWith(data, size, "BM", 2));
			break;
		}
		// Only the header decides: bytes after it (the rest of the file) never change the answer.
		std::vector<std::uint8_t> longer(data, data + size);
		longer.insert(longer.end(), {0xFF, 0xC0, 0x00, 0x11, 0x08, 0x7F, 0xFF, 0x7F, 0xFF, 0x00, 0x00, 0x00});
		FUZZ_CHECK(sameInfo(core::probeImage(longer.data(), longer.size()), info));
	}

	// The upload check agrees with the probe: unknown or BMP data is refused for its format, anything else for
	// its size or dimensions only.
	std::string bytes(reinterpret_cast<const char *>(data), size);
	core::Error e = core::checkUploadable(bytes, "frame.png");
	if (!info || info->format == ImageFormat::Bmp) {
		FUZZ_CHECK(e && e.messageKey == "Error.Image.Format");
	} else if (size > core::kMaxUploadBytes) {
		FUZZ_CHECK(e && e.messageKey == "Error.Image.TooLarge");
	} else {
		core::Error dims = core::checkFrameDimensions(info->width, info->height);
		FUZZ_CHECK(static_cast<bool>(e) == static_cast<bool>(dims));
		if (!e) {
			FUZZ_CHECK(info->width > core::kMinSideExclusive && info->width < core::kMaxSideExclusive);
			FUZZ_CHECK(info->height > core::kMinSideExclusive && info->height < core::kMaxSideExclusive);
			double ratio = static_cast<double>(info->width) / info->height;
			FUZZ_CHECK(ratio > core::kMinRatioExclusive && ratio < core::kMaxRatioExclusive);
		}
	}
	if (e) {
		fuzz::checkError(e);
		FUZZ_CHECK(e.args.count("file") && e.args.at("file") == "frame.png");
	}
	return 0;
}
