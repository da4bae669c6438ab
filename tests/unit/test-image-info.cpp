// Image header probing and the provider's frame limits.
#include "test-framework.hpp"

#include "core/image-info.hpp"

#include <string>

using namespace seedance::core;

namespace {
std::string png(unsigned w, unsigned h)
{
	std::string s("\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR", 16);
	for (unsigned v : {w, h})
		for (int shift = 24; shift >= 0; shift -= 8)
			s += static_cast<char>((v >> shift) & 0xFF);
	s += std::string("\x08\x06\0\0\0", 5);
	return s;
}

std::string jpeg(unsigned w, unsigned h)
{
	std::string s("\xFF\xD8\xFF\xE0\x00\x10JFIF\0\x01\x01\0\0\x01\0\x01\0\0", 20);
	s += std::string("\xFF\xC0\x00\x11\x08", 5);
	s += static_cast<char>(h >> 8);
	s += static_cast<char>(h & 0xFF);
	s += static_cast<char>(w >> 8);
	s += static_cast<char>(w & 0xFF);
	s += std::string("\x03\x01\x22\x00\x02\x11\x01\x03\x11\x01", 10);
	return s;
}
} // namespace

TEST_CASE("JPEG, PNG, GIF, WebP and BMP headers give format and size", "[image]")
{
	auto j = probeImage(jpeg(1920, 1080));
	REQUIRE(j);
	CHECK(j->format == ImageFormat::Jpeg);
	CHECK(j->width == 1920);
	CHECK(j->height == 1080);

	auto p = probeImage(png(1280, 720));
	REQUIRE(p);
	CHECK(p->format == ImageFormat::Png);
	CHECK(p->width == 1280);

	std::string gif = std::string("GIF89a") + std::string("\x80\x02\x68\x01", 4) + std::string(10, '\0');
	auto g = probeImage(gif);
	REQUIRE(g);
	CHECK(g->width == 640);
	CHECK(g->height == 360);

	std::string webp = std::string("RIFF\0\0\0\0WEBPVP8X", 16) + std::string(8, '\0');
	webp += std::string("\x7F\x07\x00\x37\x04\x00", 6); // 1920 x 1080 minus one
	webp += std::string(8, '\0');
	auto w = probeImage(webp);
	REQUIRE(w);
	CHECK(w->format == ImageFormat::Webp);
	CHECK(w->width == 1920);
	CHECK(w->height == 1080);

	CHECK_FALSE(probeImage(std::string("hello world, not an image")));
	CHECK_FALSE(probeImage(jpeg(1920, 1080).substr(0, 22))); // truncated before the frame header
}

TEST_CASE("frames must have sides inside (300, 6000) and a ratio inside (0.4, 2.5)", "[image]")
{
	CHECK_FALSE(checkFrameDimensions(1280, 720));
	CHECK_FALSE(checkFrameDimensions(301, 301));
	CHECK(checkFrameDimensions(300, 720).messageKey == "Error.Image.Size");
	CHECK(checkFrameDimensions(200, 200).messageKey == "Error.Image.Size");
	CHECK(checkFrameDimensions(6000, 3000).messageKey == "Error.Image.Size");
	CHECK(checkFrameDimensions(2500, 1000).messageKey == "Error.Image.Ratio"); // exactly 2.5
	CHECK_FALSE(checkFrameDimensions(2206, 946));                              // 21:9 at 1080p
	CHECK(checkFrameDimensions(400, 1000).messageKey == "Error.Image.Ratio");  // exactly 0.4
}

TEST_CASE("upload checks: format, size cap, dimensions, before anything is sent", "[image]")
{
	CHECK_FALSE(checkUploadable(png(1280, 720), "a.png"));
	CHECK(checkUploadable("not an image at all", "a.txt").messageKey == "Error.Image.Format");
	std::string bmp = "BM" + std::string(16, '\0') + std::string("\x00\x05\0\0\xD0\x02\0\0", 8);
	CHECK(checkUploadable(bmp, "a.bmp").messageKey == "Error.Image.Format");
	std::string big = png(1280, 720) + std::string(kMaxUploadBytes, '\0');
	Error e = checkUploadable(big, "big.png");
	CHECK(e.messageKey == "Error.Image.TooLarge");
	CHECK(e.args.at("size_mb") == "10");
	Error small = checkUploadable(png(200, 200), "small.png");
	CHECK(small.messageKey == "Error.Image.Size");
	CHECK(small.args.at("file") == "small.png");
}
