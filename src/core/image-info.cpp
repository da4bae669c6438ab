// Header probing for the image formats the provider accepts, with strict bounds checks (fuzzed).
#include "image-info.hpp"

#include <cstdint>
#include <cstring>

namespace seedance::core {

namespace {

unsigned be16(const unsigned char *p)
{
	return (unsigned(p[0]) << 8) | p[1];
}
unsigned le16(const unsigned char *p)
{
	return unsigned(p[0]) | (unsigned(p[1]) << 8);
}
unsigned long be32(const unsigned char *p)
{
	return (static_cast<unsigned long>(p[0]) << 24) | (static_cast<unsigned long>(p[1]) << 16) |
	       (static_cast<unsigned long>(p[2]) << 8) | p[3];
}
long le32s(const unsigned char *p)
{
	unsigned long v = static_cast<unsigned long>(p[0]) | (static_cast<unsigned long>(p[1]) << 8) |
			  (static_cast<unsigned long>(p[2]) << 16) | (static_cast<unsigned long>(p[3]) << 24);
	return static_cast<long>(static_cast<int32_t>(v));
}

std::optional<ImageInfo> make(ImageFormat format, long width, long height)
{
	if (width <= 0 || height <= 0 || width > 1000000 || height > 1000000)
		return std::nullopt;
	return ImageInfo{format, static_cast<int>(width), static_cast<int>(height)};
}

std::optional<ImageInfo> probeJpeg(const unsigned char *d, size_t n)
{
	size_t i = 2;
	while (i + 4 <= n) {
		if (d[i] != 0xFF) {
			++i; // tolerate fill bytes and garbage between segments
			continue;
		}
		unsigned char marker = d[i + 1];
		if (marker == 0xFF) {
			++i;
			continue;
		}
		if (marker == 0xD8 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {
			i += 2;
			continue;
		}
		if (marker == 0xD9 || marker == 0xDA)
			return std::nullopt; // end of image or start of scan before any frame header
		unsigned length = be16(d + i + 2);
		if (length < 2)
			return std::nullopt;
		bool sof = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
		if (sof) {
			if (i + 9 > n)
				return std::nullopt;
			return make(ImageFormat::Jpeg, be16(d + i + 7), be16(d + i + 5));
		}
		i += 2 + length;
	}
	return std::nullopt;
}

std::optional<ImageInfo> probeWebp(const unsigned char *d, size_t n)
{
	if (n < 30)
		return std::nullopt;
	const unsigned char *c = d + 12;
	if (std::memcmp(c, "VP8 ", 4) == 0) {
		// Lossy: frame tag (3 bytes), start code 9d 01 2a, then 14-bit width/height.
		if (c[11] != 0x9d || c[12] != 0x01 || c[13] != 0x2a)
			return std::nullopt;
		return make(ImageFormat::Webp, le16(c + 14) & 0x3FFF, le16(c + 16) & 0x3FFF);
	}
	if (std::memcmp(c, "VP8L", 4) == 0) {
		if (c[8] != 0x2f)
			return std::nullopt;
		unsigned long bits = static_cast<unsigned long>(c[9]) | (static_cast<unsigned long>(c[10]) << 8) |
				     (static_cast<unsigned long>(c[11]) << 16) |
				     (static_cast<unsigned long>(c[12]) << 24);
		return make(ImageFormat::Webp, static_cast<long>((bits & 0x3FFF) + 1),
			    static_cast<long>(((bits >> 14) & 0x3FFF) + 1));
	}
	if (std::memcmp(c, "VP8X", 4) == 0) {
		long w = 1 + (long(c[12]) | (long(c[13]) << 8) | (long(c[14]) << 16));
		long h = 1 + (long(c[15]) | (long(c[16]) << 8) | (long(c[17]) << 16));
		return make(ImageFormat::Webp, w, h);
	}
	return std::nullopt;
}

} // namespace

const char *mimeType(ImageFormat format)
{
	switch (format) {
	case ImageFormat::Jpeg:
		return "image/jpeg";
	case ImageFormat::Png:
		return "image/png";
	case ImageFormat::Webp:
		return "image/webp";
	case ImageFormat::Gif:
		return "image/gif";
	case ImageFormat::Bmp:
		return "image/bmp";
	}
	return "application/octet-stream";
}

const char *fileExtension(ImageFormat format)
{
	switch (format) {
	case ImageFormat::Jpeg:
		return "jpg";
	case ImageFormat::Png:
		return "png";
	case ImageFormat::Webp:
		return "webp";
	case ImageFormat::Gif:
		return "gif";
	case ImageFormat::Bmp:
		return "bmp";
	}
	return "bin";
}

std::optional<ImageInfo> probeImage(const unsigned char *d, size_t n)
{
	if (!d || n < 10)
		return std::nullopt;
	if (d[0] == 0xFF && d[1] == 0xD8 && d[2] == 0xFF)
		return probeJpeg(d, n);
	static const unsigned char pngSig[8] = {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};
	if (n >= 24 && std::memcmp(d, pngSig, 8) == 0 && std::memcmp(d + 12, "IHDR", 4) == 0)
		return make(ImageFormat::Png, static_cast<long>(be32(d + 16)), static_cast<long>(be32(d + 20)));
	if (std::memcmp(d, "GIF87a", 6) == 0 || std::memcmp(d, "GIF89a", 6) == 0)
		return make(ImageFormat::Gif, le16(d + 6), le16(d + 8));
	if (n >= 12 && std::memcmp(d, "RIFF", 4) == 0 && std::memcmp(d + 8, "WEBP", 4) == 0)
		return probeWebp(d, n);
	if (n >= 26 && d[0] == 'B' && d[1] == 'M') {
		long w = le32s(d + 18), h = le32s(d + 22);
		return make(ImageFormat::Bmp, w, h < 0 ? -h : h);
	}
	return std::nullopt;
}

Error checkFrameDimensions(int width, int height)
{
	std::map<std::string, std::string> args{{"width", std::to_string(width)}, {"height", std::to_string(height)}};
	if (width <= kMinSideExclusive || height <= kMinSideExclusive || width >= kMaxSideExclusive ||
	    height >= kMaxSideExclusive)
		return makeError(ErrorKind::InvalidInput, "Error.Image.Size",
				 "frame " + args["width"] + "x" + args["height"] + " outside (300, 6000)", args);
	double ratio = static_cast<double>(width) / height;
	if (ratio <= kMinRatioExclusive || ratio >= kMaxRatioExclusive)
		return makeError(ErrorKind::InvalidInput, "Error.Image.Ratio",
				 "frame " + args["width"] + "x" + args["height"] + " ratio outside (0.4, 2.5)", args);
	return {};
}

Error checkUploadable(const std::string &bytes, const std::string &displayName)
{
	auto info = probeImage(bytes);
	if (!info || info->format == ImageFormat::Bmp)
		return makeError(ErrorKind::InvalidInput, "Error.Image.Format", displayName + ": not JPEG/PNG/WebP/GIF",
				 {{"file", displayName}});
	if (bytes.size() > kMaxUploadBytes)
		return makeError(ErrorKind::InvalidInput, "Error.Image.TooLarge",
				 displayName + ": " + std::to_string(bytes.size()) + " bytes",
				 {{"file", displayName},
				  {"size_mb", std::to_string((bytes.size() + 524288) / 1048576)}});
	Error e = checkFrameDimensions(info->width, info->height);
	if (e)
		e.args["file"] = displayName;
	return e;
}

} // namespace seedance::core
