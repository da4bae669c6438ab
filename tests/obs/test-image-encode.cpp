// Crop, scale and encode: output sizes per the reference table, colours survive JPEG, impossible requests refused
// before anything is uploaded.
#include "test-framework.hpp"

#include "core/frame-plan.hpp"
#include "core/image-info.hpp"
#include "obs/image-encode.hpp"

#include <QImage>

#include <utility>

using namespace seedance;

namespace {

// Left half red, right half blue: shows crops and channel order.
obs::RawFrame halves(int w, int h)
{
	obs::RawFrame f;
	f.width = w;
	f.height = h;
	f.rgba.resize(static_cast<size_t>(w) * h * 4);
	for (int y = 0; y < h; ++y)
		for (int x = 0; x < w; ++x) {
			uint8_t *p = f.rgba.data() + (static_cast<size_t>(y) * w + x) * 4;
			bool left = x < w / 2;
			p[0] = left ? 230 : 20;
			p[1] = 40;
			p[2] = left ? 20 : 230;
			p[3] = 255;
		}
	return f;
}

QImage decode(const std::string &bytes)
{
	QImage img;
	img.loadFromData(reinterpret_cast<const uchar *>(bytes.data()), static_cast<int>(bytes.size()));
	return img;
}

} // namespace

TEST_CASE("output sizes per resolution and ratio match the reference table", "[obs][encode]")
{
	const auto &spec = *core::ModelCatalog::builtin().find("doubao-seedance-1-5-pro");
	obs::RawFrame frame = halves(1920, 1080);
	struct Row {
		const char *res, *ratio;
		int w, h;
	};
	for (auto row :
	     {Row{"480p", "16:9", 864, 496}, Row{"480p", "4:3", 752, 560}, Row{"480p", "1:1", 640, 640},
	      Row{"480p", "3:4", 560, 752}, Row{"480p", "9:16", 496, 864}, Row{"480p", "21:9", 992, 432},
	      Row{"720p", "16:9", 1280, 720}, Row{"720p", "4:3", 1112, 834}, Row{"720p", "1:1", 960, 960},
	      Row{"720p", "3:4", 834, 1112}, Row{"720p", "9:16", 720, 1280}, Row{"720p", "21:9", 1470, 630},
	      Row{"1080p", "16:9", 1920, 1080}, Row{"1080p", "4:3", 1664, 1248}, Row{"1080p", "1:1", 1440, 1440},
	      Row{"1080p", "3:4", 1248, 1664}, Row{"1080p", "9:16", 1080, 1920}, Row{"1080p", "21:9", 2206, 946}}) {
		INFO(row.res << " " << row.ratio);
		auto layout = core::planFrame(frame.width, frame.height, row.ratio, row.res, spec);
		REQUIRE(layout);
		auto encoded = obs::encodeFrame(frame, *layout);
		REQUIRE(encoded);
		CHECK(encoded->width == row.w);
		CHECK(encoded->height == row.h);
		auto info = core::probeImage(encoded->bytes);
		REQUIRE(info);
		CHECK(info->format == core::ImageFormat::Jpeg);
		CHECK(info->width == row.w);
		CHECK(info->height == row.h);
		CHECK_FALSE(core::checkUploadable(encoded->bytes, "frame.jpg"));
	}
}

TEST_CASE("decoded JPEG colours stay within a small tolerance, in the right places", "[obs][encode]")
{
	const auto &spec = *core::ModelCatalog::builtin().find("doubao-seedance-1-5-pro");
	obs::RawFrame frame = halves(1920, 1080);
	auto layout = core::planFrame(1920, 1080, "16:9", "720p", spec);
	REQUIRE(layout);
	auto encoded = obs::encodeFrame(frame, *layout);
	REQUIRE(encoded);
	QImage img = decode(encoded->bytes);
	REQUIRE(img.width() == 1280);
	QColor left = img.pixelColor(100, 360), right = img.pixelColor(1180, 360);
	CHECK(std::abs(left.red() - 230) <= 4);
	CHECK(std::abs(left.green() - 40) <= 4);
	CHECK(std::abs(left.blue() - 20) <= 4);
	CHECK(std::abs(right.red() - 20) <= 4);
	CHECK(std::abs(right.blue() - 230) <= 4);
	CHECK_FALSE(encoded->thumbnailJpeg.empty());
	CHECK(decode(encoded->thumbnailJpeg).width() == 160);
}

TEST_CASE("a centre crop keeps the middle of the frame", "[obs][encode]")
{
	const auto &spec = *core::ModelCatalog::builtin().find("doubao-seedance-1-5-pro");
	obs::RawFrame frame = halves(1920, 1080); // the red/blue border is at the centre
	auto layout = core::planFrame(1920, 1080, "9:16", "720p", spec);
	REQUIRE(layout);
	CHECK(layout->crop.width == 608);
	CHECK(layout->crop.x == (1920 - 608) / 2);
	auto encoded = obs::encodeFrame(frame, *layout);
	REQUIRE(encoded);
	QImage img = decode(encoded->bytes);
	CHECK(img.pixelColor(10, 640).red() > 200);   // left edge of the crop: red half
	CHECK(img.pixelColor(710, 640).blue() > 200); // right edge: blue half
}

TEST_CASE("PNG on request, JPEG quality configurable", "[obs][encode]")
{
	const auto &spec = *core::ModelCatalog::builtin().find("doubao-seedance-1-5-pro");
	obs::RawFrame frame = halves(1280, 720);
	auto layout = core::planFrame(1280, 720, "16:9", "480p", spec);
	REQUIRE(layout);
	obs::EncodeOptions png;
	png.encoding = core::FrameEncoding::Png;
	auto p = obs::encodeFrame(frame, *layout, png);
	REQUIRE(p);
	CHECK(core::probeImage(p->bytes)->format == core::ImageFormat::Png);
	obs::EncodeOptions low;
	low.jpegQuality = 40;
	auto lowQ = obs::encodeFrame(frame, *layout, low);
	auto highQ = obs::encodeFrame(frame, *layout);
	REQUIRE(lowQ);
	REQUIRE(highQ);
	CHECK(lowQ->bytes.size() < highQ->bytes.size());
}

TEST_CASE("an impossible request is refused before anything is uploaded", "[obs][encode]")
{
	const auto &spec = *core::ModelCatalog::builtin().find("doubao-seedance-1-5-pro");
	auto tiny = core::planFrame(200, 200, "16:9", "720p", spec);
	REQUIRE_FALSE(tiny);
	CHECK(tiny.error().messageKey == "Error.Capture.TooSmall");
	CHECK(tiny.error().args.at("source_width") == "200");
	// A tall narrow source cut to 21:9 leaves too few rows.
	CHECK_FALSE(core::planFrame(600, 1920, "21:9", "720p", spec)); // 600x257 left after the crop
	CHECK(core::planFrame(1080, 1920, "9:16", "720p", spec));
	CHECK_FALSE(core::planFrame(1920, 1080, "adaptive", "720p", spec)); // not a 1.5 Pro ratio
}

TEST_CASE("an image file becomes a frame (last frame from disk)", "[obs][encode]")
{
	QImage img(800, 600, QImage::Format_RGB888);
	img.fill(QColor(10, 200, 30));
	std::string path = std::string(SEEDANCE_TEST_ARTIFACTS) + "/last-frame-input.png";
	REQUIRE(img.save(QString::fromStdString(path)));
	auto frame = obs::loadImageFile(path);
	REQUIRE(frame);
	CHECK(frame->width == 800);
	CHECK(frame->rgba[1] == 200);
	auto missing = obs::loadImageFile("/nonexistent/x.png");
	REQUIRE_FALSE(missing);
	CHECK(missing.error().messageKey == "Error.Capture.ImageFile");
}

TEST_CASE("a B,G,R,A frame cropped without scaling is encoded straight from its pixels, colours in place",
	  "[obs][encode]")
{
	const auto &spec = *core::ModelCatalog::builtin().find("doubao-seedance-1-5-pro");
	// 2000 wide: the 16:9 1080p crop is 1920 at x = 40, the output size, so the encoder reads the frame's rows
	// with their 2000-pixel stride, no scaled copy. Program output is B, G, R, A.
	obs::RawFrame frame = halves(2000, 1080);
	frame.order = obs::PixelOrder::Bgra;
	for (size_t i = 0; i < frame.rgba.size(); i += 4)
		std::swap(frame.rgba.data()[i], frame.rgba.data()[i + 2]);
	auto layout = core::planFrame(2000, 1080, "16:9", "1080p", spec);
	REQUIRE(layout);
	REQUIRE(layout->crop.x == 40);
	REQUIRE(layout->crop.width == 1920);
	auto encoded = obs::encodeFrame(frame, *layout);
	REQUIRE(encoded);
	QImage img = decode(encoded->bytes);
	REQUIRE(img.width() == 1920);
	REQUIRE(img.height() == 1080);
	// The red/blue border sits at x = 1000 of the frame, 960 of the crop.
	QColor left = img.pixelColor(950, 540), right = img.pixelColor(975, 540);
	CHECK(std::abs(left.red() - 230) <= 6);
	CHECK(std::abs(left.green() - 40) <= 6);
	CHECK(std::abs(left.blue() - 20) <= 6);
	CHECK(std::abs(right.red() - 20) <= 6);
	CHECK(std::abs(right.blue() - 230) <= 6);
	CHECK(decode(encoded->thumbnailJpeg).width() == 160);
}
