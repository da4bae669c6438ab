// Every user-visible key exists in en-US and zh-CN, and both files hold the same keys.
#include "test-framework.hpp"

#include "core/text.hpp"

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

using namespace seedance::core;

namespace {
std::string slurp(const std::filesystem::path &p)
{
	std::ifstream in(p, std::ios::binary);
	std::ostringstream s;
	s << in.rdbuf();
	return s.str();
}
} // namespace

TEST_CASE("en-US and zh-CN hold the same keys", "[locale]")
{
	auto en = parseLocaleIni(slurp(std::filesystem::path(SEEDANCE_SOURCE_DIR) / "data/locale/en-US.ini"));
	auto zh = parseLocaleIni(slurp(std::filesystem::path(SEEDANCE_SOURCE_DIR) / "data/locale/zh-CN.ini"));
	REQUIRE(en.size() > 10);
	for (const auto &[key, value] : en) {
		INFO(key);
		CHECK(zh.count(key) == 1);
		CHECK_FALSE(value.empty());
	}
	for (const auto &[key, value] : zh) {
		INFO(key);
		CHECK(en.count(key) == 1);
	}
}

TEST_CASE("no locale value contains an escaped quote OBS would show literally", "[locale]")
{
	for (const char *file : {"data/locale/en-US.ini", "data/locale/zh-CN.ini"}) {
		std::string text = slurp(std::filesystem::path(SEEDANCE_SOURCE_DIR) / file);
		CHECK(text.find("\\\"") == std::string::npos);
	}
}

TEST_CASE("every text key used in the sources is defined", "[locale]")
{
	auto en = parseLocaleIni(slurp(std::filesystem::path(SEEDANCE_SOURCE_DIR) / "data/locale/en-US.ini"));
	std::regex keyPattern(
		R"re("((?:Error|Notice|Dock|Settings|Job|State|Plugin|Hotkey|Source|Menu|Slot|Stage|Playback|Target)\.[A-Za-z0-9.]+)")re");
	std::set<std::string> missing;
	for (const auto &entry :
	     std::filesystem::recursive_directory_iterator(std::filesystem::path(SEEDANCE_SOURCE_DIR) / "src")) {
		auto ext = entry.path().extension();
		if (ext != ".cpp" && ext != ".hpp" && ext != ".h" && ext != ".c")
			continue;
		std::string text = slurp(entry.path());
		for (std::sregex_iterator it(text.begin(), text.end(), keyPattern), end; it != end; ++it) {
			std::string key = (*it)[1];
			if (key.back() == '.')
				continue; // a prefix built at run time
			if (!en.count(key))
				missing.insert(entry.path().filename().string() + ": " + key);
		}
	}
	for (const auto &m : missing)
		UNSCOPED_INFO(m);
	CHECK(missing.empty());
}

TEST_CASE("placeholders are filled, unknown ones left alone", "[locale]")
{
	CHECK(fillPlaceholders("a {x} b {y}", {{"x", "1"}}) == "a 1 b {y}");
	setLanguage("zh_CN.UTF-8");
	CHECK(text("Error.Cancelled") == "已取消。");
	setLanguage("en-US");
	CHECK(text("Error.Cancelled") == "Cancelled.");
	CHECK(text("No.Such.Key") == "No.Such.Key");
}
