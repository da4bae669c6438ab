// Minimal PNG writer for tests (stored deflate blocks, no compression library needed).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace seedance::test {

// RGBA pixels, row-major, width*height*4 bytes.
std::string encodePng(int width, int height, const std::vector<std::uint8_t> &rgba);
// A width x height image filled with one colour.
std::string solidPng(int width, int height, std::uint8_t r, std::uint8_t g, std::uint8_t b);

} // namespace seedance::test
