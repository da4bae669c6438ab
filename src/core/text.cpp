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

namespace {
// Length of the well-formed UTF-8 sequence at `i` (RFC 3629: no overlongs, no surrogates, ≤ U+10FFFF), else 0.
size_t sequenceLength(const std::string &s, size_t i)
{
	auto byte = [&](size_t k) {
		return static_cast<unsigned char>(s[k]);
	};
	unsigned char c = byte(i);
	if (c < 0x80)
		return 1;
	size_t n;
	unsigned char lo = 0x80, hi = 0xBF; // allowed range of the second byte
	if (c >= 0xC2 && c <= 0xDF) {
		n = 2;
	} else if (c >= 0xE0 && c <= 0xEF) {
		n = 3;
		lo = c == 0xE0 ? 0xA0 : 0x80;
		hi = c == 0xED ? 0x9F : 0xBF;
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 4;
		lo = c == 0xF0 ? 0x90 : 0x80;
		hi = c == 0xF4 ? 0x8F : 0xBF;
	} else {
		return 0;
	}
	if (i + n > s.size() || byte(i + 1) < lo || byte(i + 1) > hi)
		return 0;
	for (size_t k = 2; k < n; ++k)
		if ((byte(i + k) & 0xC0) != 0x80)
			return 0;
	return n;
}
} // namespace

bool isValidUtf8(const std::string &text)
{
	for (size_t i = 0; i < text.size();) {
		size_t n = sequenceLength(text, i);
		if (n == 0)
			return false;
		i += n;
	}
	return true;
}

std::string toValidUtf8(const std::string &text)
{
	if (isValidUtf8(text))
		return text;
	std::string out;
	out.reserve(text.size() + 16);
	for (size_t i = 0; i < text.size();) {
		size_t n = sequenceLength(text, i);
		if (n == 0) {
			out += "\xEF\xBF\xBD"; // U+FFFD
			++i;
		} else {
			out.append(text, i, n);
			i += n;
		}
	}
	return out;
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
