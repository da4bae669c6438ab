// Frame preparation with QImage.
#include "image-encode.hpp"

#include "core/image-info.hpp"

#include <QBuffer>
#include <QImage>
#include <QImageReader>
#include <QImageWriter>

#include <algorithm>
#include <csetjmp>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#ifdef SEEDANCE_HAVE_LIBJPEG_TURBO
#include <jpeglib.h>
#endif

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

#ifdef SEEDANCE_HAVE_LIBJPEG_TURBO
struct JpegFailure {
	jpeg_error_mgr manager;
	std::jmp_buf jump;
};

[[noreturn]] void onJpegError(j_common_ptr info)
{
	// libjpeg's default handler calls exit(): leave through the encoder's setjmp instead.
	std::longjmp(reinterpret_cast<JpegFailure *>(info->err)->jump, 1);
}

// libjpeg-turbo straight from 32-bit pixels (its SIMD colour conversion reads B,G,R,X or R,G,B,X): no RGB888 copy
// of the frame first, which is what QImageWriter needs. Same library, settings and bytes as Qt's writer gives.
// No C++ object with a destructor lives between setjmp and a longjmp.
bool writeJpegTurbo(const QImage &image, int quality, std::string &out)
{
	J_COLOR_SPACE space;
	switch (image.format()) {
	case QImage::Format_RGB32:
	case QImage::Format_ARGB32:
	case QImage::Format_ARGB32_Premultiplied: // smooth scaling's output; the program's alpha is opaque
		space = JCS_EXT_BGRX;             // 0xffRRGGBB: B, G, R, X in memory on little-endian machines
		break;
	case QImage::Format_RGBX8888:
	case QImage::Format_RGBA8888:
		space = JCS_EXT_RGBX;
		break;
	default:
		return false;
	}
	if (QSysInfo::ByteOrder != QSysInfo::LittleEndian && space == JCS_EXT_BGRX)
		space = JCS_EXT_XRGB;
	jpeg_compress_struct info{}; // zeroed: jpeg_destroy_compress is safe whatever step failed
	JpegFailure failure;
	unsigned char *buffer = nullptr;
	unsigned long size = 0;
	info.err = jpeg_std_error(&failure.manager);
	failure.manager.error_exit = onJpegError;
	if (setjmp(failure.jump)) {
		jpeg_destroy_compress(&info);
		std::free(buffer);
		return false;
	}
	jpeg_create_compress(&info);
	jpeg_mem_dest(&info, &buffer, &size);
	info.image_width = static_cast<JDIMENSION>(image.width());
	info.image_height = static_cast<JDIMENSION>(image.height());
	info.input_components = 4;
	info.in_color_space = space;
	jpeg_set_defaults(&info);
	jpeg_set_quality(&info, quality, TRUE);
	jpeg_start_compress(&info, TRUE);
	while (info.next_scanline < info.image_height) {
		JSAMPROW row = const_cast<JSAMPROW>(image.constScanLine(static_cast<int>(info.next_scanline)));
		jpeg_write_scanlines(&info, &row, 1);
	}
	jpeg_finish_compress(&info);
	jpeg_destroy_compress(&info);
	out.assign(reinterpret_cast<const char *>(buffer), size);
	std::free(buffer);
	return true;
}
#endif

bool writeJpeg(const QImage &image, int quality, std::string &out)
{
#ifdef SEEDANCE_HAVE_LIBJPEG_TURBO
	if (writeJpegTurbo(image, quality, out))
		return true;
#endif
	return writeImage(image.convertToFormat(QImage::Format_RGB888), "jpg", quality, out); // no copy if RGB888
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
	// At the output size already (the usual 1080p program at 1080p), the JPEG encoder reads the view itself.
	const QImage sized = (c.width == layout.output.width && c.height == layout.output.height)
				     ? cropped
				     : cropped.scaled(layout.output.width, layout.output.height, Qt::IgnoreAspectRatio,
						      Qt::SmoothTransformation);

	core::EncodedImage out;
	out.width = sized.width();
	out.height = sized.height();
	bool png = options.encoding == core::FrameEncoding::Png;
	if (png) {
		out.format = core::ImageFormat::Png;
		if (!writeImage(sized.convertToFormat(QImage::Format_RGB888), "png", -1, out.bytes))
			return encodeError("PNG encoder failed");
		png = out.bytes.size() <= core::kMaxUploadBytes;
	}
	if (!png) {
		out.format = core::ImageFormat::Jpeg;
		int quality = std::clamp(options.jpegQuality, 30, 100);
		do {
			if (!writeJpeg(sized, quality, out.bytes))
				return encodeError("JPEG encoder failed (is Qt's jpeg image plugin installed?)");
			quality -= 10;
		} while (out.bytes.size() > core::kMaxUploadBytes && quality >= 30);
		if (out.bytes.size() > core::kMaxUploadBytes)
			return encodeError("frame larger than 10 MB even at low quality");
	}
	if (options.thumbnailWidth > 0) {
		// A cheap 2-step shrink (nearest to 2× the width, then smooth): a thumbnail needs no more.
		int tw = options.thumbnailWidth;
		int th = std::max(1, sized.height() * tw / std::max(1, sized.width()));
		QImage thumb = sized.scaled(tw * 2, th * 2, Qt::IgnoreAspectRatio, Qt::FastTransformation)
				       .scaled(tw, th, Qt::IgnoreAspectRatio, Qt::SmoothTransformation);
		writeJpeg(thumb, 80, out.thumbnailJpeg);
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
