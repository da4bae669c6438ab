// Frame planning arithmetic.
#include "frame-plan.hpp"

#include <algorithm>
#include <cmath>

namespace seedance::core {

namespace {

// The sentences of these errors end in "choose one of {allowed}".
std::string joinList(const std::vector<std::string> &values)
{
	std::string out;
	for (const auto &v : values)
		out += (out.empty() ? "" : ", ") + v;
	return out;
}

} // namespace

std::string nearestAspectRatio(int width, int height, const std::vector<std::string> &allowed)
{
	if (width <= 0 || height <= 0)
		return allowed.empty() ? std::string() : allowed.front();
	double target = std::log(static_cast<double>(width) / height);
	std::string best;
	double bestDistance = 1e9;
	for (const auto &ratio : allowed) {
		double value = aspectRatioValue(ratio);
		if (value <= 0)
			continue; // "adaptive"
		double distance = std::fabs(std::log(value) - target);
		if (distance < bestDistance - 1e-12) {
			bestDistance = distance;
			best = ratio;
		}
	}
	return best;
}

Result<FrameLayout> planFrame(int width, int height, const std::string &aspectRatio, const std::string &resolution,
			      const ModelSpec &spec, const ModelCatalog &catalog)
{
	if (width <= 0 || height <= 0)
		return makeError(ErrorKind::Capture, "Error.Capture.ZeroSize", "source has no size");
	FrameLayout layout;
	layout.aspectRatio = aspectRatio == kCanvasRatio ? nearestAspectRatio(width, height, spec.aspectRatios)
							 : aspectRatio;
	if (!spec.allowsAspectRatio(layout.aspectRatio))
		return makeError(ErrorKind::InvalidInput, "Error.Invalid.AspectRatio", "ratio " + layout.aspectRatio,
				 {{"field", "aspect_ratio"},
				  {"value", layout.aspectRatio},
				  {"model", spec.id},
				  {"allowed", joinList(spec.aspectRatios)}});

	double ratio;
	if (layout.aspectRatio == "adaptive") {
		// Keep the source's shape (inside the provider's bounds) at the pixel budget of 16:9 at this resolution.
		ratio = std::clamp(static_cast<double>(width) / height, 0.41, 2.44);
		auto reference = catalog.frameSize(resolution, "16:9");
		if (!reference)
			return makeError(ErrorKind::InvalidInput, "Error.Invalid.Resolution",
					 "resolution " + resolution,
					 {{"field", "resolution"},
					  {"value", resolution},
					  {"model", spec.id},
					  {"allowed", joinList(spec.resolutions)}});
		double area = static_cast<double>(reference->width) * reference->height;
		int w = static_cast<int>(std::lround(std::sqrt(area * ratio) / 2.0)) * 2;
		int h = static_cast<int>(std::lround(w / ratio / 2.0)) * 2;
		layout.output = {w, h};
	} else {
		auto size = catalog.frameSize(resolution, layout.aspectRatio);
		if (!size)
			return makeError(ErrorKind::InvalidInput, "Error.Invalid.Resolution",
					 "resolution " + resolution,
					 {{"field", "resolution"},
					  {"value", resolution},
					  {"model", spec.id},
					  {"allowed", joinList(spec.resolutions)}});
		layout.output = *size;
		ratio = static_cast<double>(size->width) / size->height;
	}

	// The largest centred rectangle of that ratio inside the source.
	double sourceRatio = static_cast<double>(width) / height;
	if (sourceRatio > ratio) {
		layout.crop.height = height;
		layout.crop.width = std::min(width, static_cast<int>(std::lround(height * ratio)));
	} else {
		layout.crop.width = width;
		layout.crop.height = std::min(height, static_cast<int>(std::lround(width / ratio)));
	}
	layout.crop.x = (width - layout.crop.width) / 2;
	layout.crop.y = (height - layout.crop.height) / 2;

	// Upscaling a tiny source would upload mush: the source itself must meet the provider's minimum.
	if (Error e = checkFrameDimensions(layout.crop.width, layout.crop.height)) {
		if (e.messageKey == "Error.Image.Size")
			e.messageKey = "Error.Capture.TooSmall";
		e.args["source_width"] = std::to_string(width);
		e.args["source_height"] = std::to_string(height);
		return e;
	}
	if (Error e = checkFrameDimensions(layout.output.width, layout.output.height))
		return e;
	return layout;
}

} // namespace seedance::core
