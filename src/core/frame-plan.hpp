// How a captured frame becomes the uploaded first/last frame: which aspect ratio ("canvas" picks the nearest one
// the model supports), the centred crop, and the output pixel size for the chosen resolution. Pure arithmetic,
// so it is tested without OBS or Qt.
#pragma once

#include "expected.hpp"
#include "image-info.hpp"
#include "model-catalog.hpp"

#include <string>
#include <vector>

namespace seedance::core {

// The aspect-ratio setting that means "whatever is nearest the canvas".
constexpr const char *kCanvasRatio = "canvas";

struct CropRect {
	int x = 0;
	int y = 0;
	int width = 0;
	int height = 0;
};

struct FrameLayout {
	std::string aspectRatio; // resolved ("16:9", or "adaptive")
	CropRect crop;           // in source pixels
	PixelSize output;        // pixels uploaded
};

// The ratio in `allowed` nearest to width/height (by log distance; "adaptive" is never picked).
std::string nearestAspectRatio(int width, int height, const std::vector<std::string> &allowed);

// Plans the crop and size of a width×height source for `aspectRatio` (may be "canvas" or "adaptive") at
// `resolution`. Fails with a message when the source is too small for the provider (a side of the crop ≤ 300 px)
// or the ratio is impossible.
Result<FrameLayout> planFrame(int width, int height, const std::string &aspectRatio, const std::string &resolution,
			      const ModelSpec &spec, const ModelCatalog &catalog = ModelCatalog::builtin());

enum class FrameEncoding { Jpeg, Png };

struct EncodedImage {
	std::string bytes;
	int width = 0;
	int height = 0;
	ImageFormat format = ImageFormat::Jpeg;
	std::string thumbnailJpeg; // small preview for the job list (may be empty)
};

} // namespace seedance::core
