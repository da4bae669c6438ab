// PNG encoding with stored (uncompressed) deflate blocks.
#include "png.hpp"

#include <array>

namespace seedance::test {

namespace {

std::uint32_t crc32(const std::string &data)
{
	static const auto table = [] {
		std::array<std::uint32_t, 256> t{};
		for (std::uint32_t i = 0; i < 256; ++i) {
			std::uint32_t c = i;
			for (int k = 0; k < 8; ++k)
				c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
			t[i] = c;
		}
		return t;
	}();
	std::uint32_t c = 0xFFFFFFFFu;
	for (unsigned char b : data)
		c = table[(c ^ b) & 0xFF] ^ (c >> 8);
	return c ^ 0xFFFFFFFFu;
}

void be32(std::string &out, std::uint32_t v)
{
	for (int shift = 24; shift >= 0; shift -= 8)
		out += static_cast<char>((v >> shift) & 0xFF);
}

void chunk(std::string &png, const char *type, const std::string &data)
{
	be32(png, static_cast<std::uint32_t>(data.size()));
	std::string body = std::string(type, 4) + data;
	png += body;
	be32(png, crc32(body));
}

} // namespace

std::string encodePng(int width, int height, const std::vector<std::uint8_t> &rgba)
{
	std::string raw;
	raw.reserve(static_cast<size_t>(height) * (width * 4 + 1));
	for (int y = 0; y < height; ++y) {
		raw += '\0'; // filter: none
		raw.append(reinterpret_cast<const char *>(rgba.data()) + static_cast<size_t>(y) * width * 4,
			   static_cast<size_t>(width) * 4);
	}
	std::string z = "\x78\x01";
	std::uint32_t a = 1, b = 0;
	for (unsigned char c : raw) {
		a = (a + c) % 65521;
		b = (b + a) % 65521;
	}
	for (size_t pos = 0; pos < raw.size() || pos == 0;) {
		size_t n = std::min<size_t>(65535, raw.size() - pos);
		bool last = pos + n >= raw.size();
		z += static_cast<char>(last ? 1 : 0);
		z += static_cast<char>(n & 0xFF);
		z += static_cast<char>(n >> 8);
		z += static_cast<char>(~n & 0xFF);
		z += static_cast<char>((~n >> 8) & 0xFF);
		z.append(raw, pos, n);
		pos += n;
		if (last)
			break;
	}
	be32(z, (b << 16) | a);

	std::string png("\x89PNG\r\n\x1a\n", 8);
	std::string ihdr;
	be32(ihdr, static_cast<std::uint32_t>(width));
	be32(ihdr, static_cast<std::uint32_t>(height));
	ihdr += std::string("\x08\x06\x00\x00\x00", 5); // 8-bit RGBA
	chunk(png, "IHDR", ihdr);
	chunk(png, "IDAT", z);
	chunk(png, "IEND", "");
	return png;
}

std::string solidPng(int width, int height, std::uint8_t r, std::uint8_t g, std::uint8_t b)
{
	std::vector<std::uint8_t> px(static_cast<size_t>(width) * height * 4);
	for (size_t i = 0; i < px.size(); i += 4) {
		px[i] = r;
		px[i + 1] = g;
		px[i + 2] = b;
		px[i + 3] = 255;
	}
	return encodePng(width, height, px);
}

} // namespace seedance::test
