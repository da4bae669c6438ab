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

	// Wraps the pixels without copying; copy() materialises only the cropped part.
	QImage source(frame.rgba.data(), frame.width, frame.height, frame.width * 4, QImage::Format_RGBA8888);
	QImage cropped = source.copy(c.x, c.y, c.width, c.height);
	QImage scaled = (cropped.width() == layout.output.width && cropped.height() == layout.output.height)
				? cropped
				: cropped.scaled(layout.output.width, layout.output.height, Qt::IgnoreAspectRatio,
						 Qt::SmoothTransformation);
	// The program output has no meaningful alpha; JPEG has none anyway.
	QImage rgb = scaled.convertToFormat(QImage::Format_RGB888);

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
		QImage thumb = rgb.scaledToWidth(options.thumbnailWidth, Qt::SmoothTransformation);
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
	frame.width = image.width();
	frame.height = image.height();
	frame.rgba.resize(static_cast<size_t>(frame.width) * frame.height * 4);
	for (int y = 0; y < frame.height; ++y)
		std::memcpy(frame.rgba.data() + static_cast<size_t>(y) * frame.width * 4, image.constScanLine(y),
			    static_cast<size_t>(frame.width) * 4);
	return frame;
}

} // namespace seedance::obs
