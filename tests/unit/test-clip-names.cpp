// Clip file names come from the streamer's prompt (and, through it, from anyone who can send a websocket request):
// whatever the prompt, the name is one safe path component inside the clip folder on Windows, macOS and Linux, and
// a new clip never overwrites another.
#include "test-framework.hpp"

#include "core/clip-library.hpp"
#include "core/file-util.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

using namespace seedance::core;

namespace {

// What every platform accepts as one file name: no separators, no reserved or control characters, no leading or
// trailing dot or space, not "." or "..", not a reserved device name, at most 255 bytes.
void checkSafeComponent(const std::string &name)
{
	INFO("name: \"" << name << "\"");
	REQUIRE_FALSE(name.empty());
	CHECK(name.size() <= 255);
	for (unsigned char c : name) {
		CHECK(c >= 0x20);
		CHECK(c != 0x7F);
		CHECK(std::string("<>:\"/\\|?*").find(static_cast<char>(c)) == std::string::npos);
	}
	CHECK(name.front() != '.');
	CHECK(name.front() != ' ');
	CHECK(name.back() != '.');
	CHECK(name.back() != ' ');
	std::string stem = name.substr(0, name.find('.'));
	std::string upper;
	for (char c : stem)
		upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
	for (const char *reserved : {"CON", "PRN", "AUX", "NUL", "COM1", "COM9", "LPT1", "LPT9", "CLOCK$"})
		CHECK(upper != reserved);
}

const std::vector<std::string> kHostilePrompts = {
	"../../../../etc/passwd",
	"..\\..\\Windows\\System32\\drivers\\etc\\hosts",
	"/absolute/path",
	"C:\\Users\\streamer\\evil",
	"CON",
	"nul",
	"com1",
	"LPT9.mp4",
	"aux.txt",
	"name with trailing dots...",
	"   spaces around   ",
	"...",
	"..",
	".",
	"",
	"<>:\"|?*",
	"bell\x07 and \x1b[31mred\x1b[0m and \x01",
	"\xff\xfe invalid \xc3 UTF-8 \xe4\xb8",
	"主播身后升起烟花 🎆 fireworks!",
	std::string(1000, 'a'),
	std::string(300, '\xe4') + "\xb8\xad",
	"%2e%2e%2f%2e%2e%2fetc",
	"$(rm -rf ~) `reboot` ; | & > out",
};

} // namespace

TEST_CASE("sanitizeFileName makes any string one safe path component", "[clip-names]")
{
	for (const auto &prompt : kHostilePrompts) {
		std::string name = sanitizeFileName(prompt);
		if (!name.empty())
			checkSafeComponent(name);
	}
	CHECK(sanitizeFileName("../../etc/passwd") == "-..-etc-passwd");
	CHECK(sanitizeFileName("..") == "");
	CHECK(sanitizeFileName("CON") == "_CON");
	CHECK(sanitizeFileName("nul.mp4") == "_nul.mp4");
	CHECK(sanitizeFileName("com7") == "_com7");
	CHECK(sanitizeFileName("console") == "console"); // only the exact device names are reserved
	CHECK(sanitizeFileName("clip. ") == "clip");
	CHECK(sanitizeFileName("烟花") == "烟花");
}

TEST_CASE("the prompt slug keeps words of any script and nothing else", "[clip-names]")
{
	for (const auto &prompt : kHostilePrompts)
		checkSafeComponent(promptSlug(prompt) + ".mp4");
	CHECK(promptSlug("Fireworks behind the streamer!") == "fireworks-behind-the-streamer");
	CHECK(promptSlug("主播身后升起烟花 🎆") == "主播身后升起烟花");
	CHECK(promptSlug("../../etc/passwd") == "etc-passwd");
	CHECK(promptSlug("...") == "clip");
	CHECK(promptSlug("") == "clip");
	CHECK(promptSlug("CON") == "_con");
	// At most 40 characters (code points), never a broken UTF-8 sequence.
	std::string slug = promptSlug(std::string(100, 'x'));
	CHECK(slug.size() == 40);
	std::string chinese =
		promptSlug("一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一二三");
	CHECK(chinese.size() == 40 * 3);
}

TEST_CASE("clip paths stay in the clip folder and never overwrite", "[clip-names]")
{
	auto folder = std::filesystem::temp_directory_path() / ("seedance-names-" + std::to_string(std::rand()));
	std::filesystem::create_directories(folder);
	const std::int64_t when = 1764000000;
	for (const auto &prompt : kHostilePrompts) {
		std::filesystem::path path = uniqueClipPath(folder.string(), prompt, when);
		INFO("prompt: \"" << prompt << "\" → " << path.string());
		CHECK(path.parent_path() == folder);
		CHECK(path.extension() == ".mp4");
		checkSafeComponent(path.filename().string());
	}
	// Taken names (and names whose download is in progress) get -2, -3, ...
	std::string first = uniqueClipPath(folder.string(), "same prompt", when);
	std::ofstream(first) << "clip 1";
	std::string second = uniqueClipPath(folder.string(), "same prompt", when);
	CHECK(second != first);
	std::ofstream(second + ".part") << "downloading";
	std::string third = uniqueClipPath(folder.string(), "same prompt", when);
	CHECK(third != first);
	CHECK(third != second);
	CHECK(third.substr(third.size() - 6) == "-3.mp4");
	// A trailing separator on the folder changes nothing.
	CHECK(uniqueClipPath(folder.string() + "/", "same prompt", when) == third);
	std::filesystem::remove_all(folder);
}
