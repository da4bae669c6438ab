// Image format and size from the file header (no decoding), and the provider's limits on first/last frames.
#pragma once

#include "error.hpp"

#include <cstddef>
#include <optional>
#include <string>

namespace seedance::core {

enum class ImageFormat { Jpeg, Png, Webp, Gif, Bmp };

struct ImageInfo {
	ImageFormat format = ImageFormat::Jpeg;
	int width = 0;
	int height = 0;
};

const char *mimeType(ImageFormat format);
const char *fileExtension(ImageFormat format);

// Reads the header of JPEG, PNG, WebP, GIF or BMP data; nullopt when unrecognised or truncated.
std::optional<ImageInfo> probeImage(const unsigned char *data, size_t size);
inline std::optional<ImageInfo> probeImage(const std::string &bytes)
{
	return probeImage(reinterpret_cast<const unsigned char *>(bytes.data()), bytes.size());
}

// Provider limits for an uploaded frame (reference §2: ToAPIs upload ≤ 10 MB JPEG/PNG/WebP/GIF; Seedance: each
// side strictly inside (300, 6000) px and width/height strictly inside (0.4, 2.5)).
constexpr size_t kMaxUploadBytes = 10u * 1024u * 1024u;
constexpr int kMinSideExclusive = 300;
constexpr int kMaxSideExclusive = 6000;
constexpr double kMinRatioExclusive = 0.4;
constexpr double kMaxRatioExclusive = 2.5;

// Checks dimensions and ratio only (for frames prepared in memory).
Error checkFrameDimensions(int width, int height);
// Full check of a file about to be uploaded: format, byte size, dimensions.
Error checkUploadable(const std::string &bytes, const std::string &displayName);

} // namespace seedance::core
