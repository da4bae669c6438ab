// Locale lookup backed by the embedded data/locale files.
#include "text.hpp"

#include <mutex>
#include <sstream>

namespace seedance::embedded {
extern const unsigned char locale_en_US[];
extern const std::size_t locale_en_US_size;
extern const unsigned char locale_zh_CN[];
extern const std::size_t locale_zh_CN_size;
} // namespace seedance::embedded

namespace seedance::core {

namespace {

struct TextState {
	std::mutex mutex;
	TextLookup lookup;
	std::string language = "en-US";
	std::map<std::string, std::string> enUS;
	std::map<std::string, std::string> zhCN;
	bool loaded = false;
};

TextState &state()
{
	static TextState s;
	return s;
}

void ensureLoaded(TextState &s)
{
	if (s.loaded)
		return;
	s.enUS = parseLocaleIni(
		std::string(reinterpret_cast<const char *>(embedded::locale_en_US), embedded::locale_en_US_size));
	s.zhCN = parseLocaleIni(
		std::string(reinterpret_cast<const char *>(embedded::locale_zh_CN), embedded::locale_zh_CN_size));
	s.loaded = true;
}

std::string trim(const std::string &s)
{
	size_t b = s.find_first_not_of(" \t\r");
	if (b == std::string::npos)
		return {};
	size_t e = s.find_last_not_of(" \t\r");
	return s.substr(b, e - b + 1);
}

} // namespace

void setTextLookup(TextLookup lookup)
{
	std::lock_guard<std::mutex> lock(state().mutex);
	state().lookup = std::move(lookup);
}

void setLanguage(const std::string &locale)
{
	std::lock_guard<std::mutex> lock(state().mutex);
	state().language = locale.rfind("zh", 0) == 0 ? "zh-CN" : "en-US";
}

std::string text(const std::string &key)
{
	auto &s = state();
	std::lock_guard<std::mutex> lock(s.mutex);
	if (s.lookup) {
		const char *found = s.lookup(key.c_str());
		if (found && key != found)
			return found;
	}
	ensureLoaded(s);
	if (s.language == "zh-CN") {
		auto it = s.zhCN.find(key);
		if (it != s.zhCN.end())
			return it->second;
	}
	auto it = s.enUS.find(key);
	return it != s.enUS.end() ? it->second : key;
}

std::string fillPlaceholders(const std::string &pattern, const std::map<std::string, std::string> &args)
{
	std::string out;
	out.reserve(pattern.size());
	for (size_t i = 0; i < pattern.size(); ++i) {
		if (pattern[i] == '{') {
			size_t close = pattern.find('}', i + 1);
			if (close != std::string::npos) {
				auto it = args.find(pattern.substr(i + 1, close - i - 1));
				if (it != args.end()) {
					out += it->second;
					i = close;
					continue;
				}
			}
		}
		out += pattern[i];
	}
	return out;
}

std::string truncateUtf8(const std::string &text, size_t maxCodePoints)
{
	size_t count = 0;
	for (size_t i = 0; i < text.size(); ++i) {
		if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
			if (count == maxCodePoints)
				return text.substr(0, i);
			++count;
		}
	}
	return text;
}

std::map<std::string, std::string> parseLocaleIni(const std::string &ini)
{
	std::map<std::string, std::string> table;
	std::istringstream in(ini);
	std::string line;
	while (std::getline(in, line)) {
		line = trim(line);
		if (line.empty() || line[0] == '#' || line[0] == ';' || line[0] == '[')
			continue;
		size_t eq = line.find('=');
		if (eq == std::string::npos)
			continue;
		std::string key = trim(line.substr(0, eq));
		std::string value = trim(line.substr(eq + 1));
		if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
			value = value.substr(1, value.size() - 2);
		std::string unescaped;
		for (size_t i = 0; i < value.size(); ++i) {
			if (value[i] == '\\' && i + 1 < value.size()) {
				char next = value[i + 1];
				if (next == 'n') {
					unescaped += '\n';
					++i;
					continue;
				}
				if (next == '"' || next == '\\') {
					unescaped += next;
					++i;
					continue;
				}
			}
			unescaped += value[i];
		}
		table[key] = unescaped;
	}
	return table;
}

} // namespace seedance::core
