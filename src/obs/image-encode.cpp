// Frame preparation with QImage.
#include "image-encode.hpp"

#include "core/image-info.hpp"

#include <QBuffer>
#include <QImage>
#include <QImageReader>
#include <QImageWriter>

#include <algorithm>
#include <cstring>

namespace seedance::obs {

namespace {

core::Error encodeError(const std::string &detail)
{
	return core::makeError(core::ErrorKind::Capture, "Error.Capture.Encode", detail);
}

bool writeImage(const QImage &image, const char *format, int quality, std::string &out)
{
	QByteArray bytes;
	QBuffer buffer(&bytes);
	buffer.open(QIODevice::WriteOnly);
	QImageWriter writer(&buffer, format);
	if (quality >= 0)
		writer.setQuality(quality);
	if (!writer.write(image))
		return false;
	out.assign(bytes.constData(), static_cast<size_t>(bytes.size()));
	return true;
}

} // namespace

core::Result<core::EncodedImage> encodeFrame(const RawFrame &frame, const core::FrameLayout &layout,
					     const EncodeOptions &options)
{
	if (frame.width <= 0 || frame.height <= 0 ||
	    frame.rgba.size() < static_cast<size_t>(frame.width) * frame.height * 4)
		return encodeError("empty frame");
	const core::CropRect &c = layout.crop;
	if (c.x < 0 || c.y < 0 || c.width <= 0 || c.height <= 0 || c.x + c.width > frame.width ||
	    c.y + c.height > frame.height)
		return encodeError("crop outside the frame");

	// A view of the crop, no copy: the first real pass (scale or format conversion) reads straight from the
	// captured pixels. RGBX: the program output has no meaningful alpha and JPEG has none.
	const uchar *origin = frame.rgba.data() + (static_cast<size_t>(c.y) * frame.width + c.x) * 4;
	// QImage::Format_RGB32 is B, G, R, X in memory on little-endian machines.
	const QImage::Format format = frame.order == PixelOrder::Bgra ? QImage::Format_RGB32 : QImage::Format_RGBX8888;
	const QImage cropped(origin, c.width, c.height, frame.width * 4, format);
	QImage rgb = (c.width == layout.output.width && c.height == layout.output.height)
			     ? cropped.convertToFormat(QImage::Format_RGB888)
			     : cropped.scaled(layout.output.width, layout.output.height, Qt::IgnoreAspectRatio,
					      Qt::SmoothTransformation)
				       .convertToFormat(QImage::Format_RGB888);

	core::EncodedImage out;
	out.width = rgb.width();
	out.height = rgb.height();
	bool png = options.encoding == core::FrameEncoding::Png;
	if (png) {
		out.format = core::ImageFormat::Png;
		if (!writeImage(rgb, "png", -1, out.bytes))
			return encodeError("PNG encoder failed");
		png = out.bytes.size() <= core::kMaxUploadBytes;
	}
	if (!png) {
		out.format = core::ImageFormat::Jpeg;
		int quality = std::clamp(options.jpegQuality, 30, 100);
		do {
			if (!writeImage(rgb, "jpg", quality, out.bytes))
				return encodeError("JPEG encoder failed (is Qt's jpeg image plugin installed?)");
			quality -= 10;
		} while (out.bytes.size() > core::kMaxUploadBytes && quality >= 30);
		if (out.bytes.size() > core::kMaxUploadBytes)
			return encodeError("frame larger than 10 MB even at low quality");
	}
	if (options.thumbnailWidth > 0) {
		// A cheap 2-step shrink (nearest to 2× the width, then smooth): a thumbnail needs no more.
		int tw = options.thumbnailWidth;
		int th = std::max(1, rgb.height() * tw / std::max(1, rgb.width()));
		QImage thumb = rgb.scaled(tw * 2, th * 2, Qt::IgnoreAspectRatio, Qt::FastTransformation)
				       .scaled(tw, th, Qt::IgnoreAspectRatio, Qt::SmoothTransformation);
		writeImage(thumb, "jpg", 80, out.thumbnailJpeg);
	}
	return out;
}

core::Result<RawFrame> loadImageFile(const std::string &path)
{
	QImageReader reader(QString::fromStdString(path));
	reader.setAutoTransform(true); // honour EXIF orientation: the provider sees what the user saw
	QImage image = reader.read();
	if (image.isNull())
		return core::makeError(core::ErrorKind::InvalidInput, "Error.Capture.ImageFile",
				       path + ": " + reader.errorString().toStdString(), {{"file", path}});
	image = image.convertToFormat(QImage::Format_RGBA8888);
	RawFrame frame;
	frame.order = PixelOrder::Rgba;
	frame.width = image.width();
	frame.height = image.height();
	frame.rgba.resize(static_cast<size_t>(frame.width) * frame.height * 4);
	for (int y = 0; y < frame.height; ++y)
		std::memcpy(frame.rgba.data() + static_cast<size_t>(y) * frame.width * 4, image.constScanLine(y),
			    static_cast<size_t>(frame.width) * 4);
	return frame;
}

} // namespace seedance::obs
