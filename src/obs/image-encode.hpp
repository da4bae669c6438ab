// Crop, scale and encode a captured frame (or an image file) into the image that is uploaded. Runs on a worker
// thread, never the graphics or UI thread. QImage does the filtering and PNG; JPEG goes through libjpeg-turbo straight
// from the 32-bit pixels where the build found it (Linux packages), else through Qt's JPEG writer.
#pragma once

#include "frame-grabber.hpp"

#include "core/expected.hpp"
#include "core/frame-plan.hpp"

#include <string>

namespace seedance::obs {

struct EncodeOptions {
	core::FrameEncoding encoding = core::FrameEncoding::Jpeg;
	int jpegQuality = 90;
	int thumbnailWidth = 160; // 0 = no thumbnail
};

// Crops `frame` to `layout.crop`, scales it to `layout.output` with smooth filtering and encodes it. Keeps the
// result under the 10 MB upload limit (lower JPEG quality, or JPEG instead of PNG, when needed).
core::Result<core::EncodedImage> encodeFrame(const RawFrame &frame, const core::FrameLayout &layout,
					     const EncodeOptions &options = {});

// Reads an image file (JPEG, PNG, …) as a RawFrame, for a last frame chosen from disk.
core::Result<RawFrame> loadImageFile(const std::string &path);

} // namespace seedance::obs
