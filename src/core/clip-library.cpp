// Clip naming.
#include "clip-library.hpp"

#include "file-util.hpp"

#include <algorithm>
#include <cctype>
#include <ctime>
#include <vector>

namespace seedance::core {

namespace {

// Decodes one UTF-8 code point at `i` (advancing it); invalid bytes come back as 0xFFFD.
char32_t nextCodePoint(const std::string &s, size_t &i)
{
	unsigned char c = static_cast<unsigned char>(s[i]);
	int extra = c < 0x80 ? 0 : (c >> 5) == 0x6 ? 1 : (c >> 4) == 0xE ? 2 : (c >> 3) == 0x1E ? 3 : -1;
	if (extra < 0 || i + extra >= s.size() + (extra == 0 ? 1 : 0)) {
		++i;
		return 0xFFFD;
	}
	char32_t cp = extra == 0 ? c : c & (0x3F >> extra);
	for (int k = 1; k <= extra; ++k) {
		unsigned char cc = static_cast<unsigned char>(s[i + k]);
		if ((cc & 0xC0) != 0x80) {
			++i;
			return 0xFFFD;
		}
		cp = (cp << 6) | (cc & 0x3F);
	}
	i += extra + 1;
	return cp;
}

void appendUtf8(std::string &out, char32_t cp)
{
	if (cp < 0x80) {
		out += static_cast<char>(cp);
	} else if (cp < 0x800) {
		out += static_cast<char>(0xC0 | (cp >> 6));
		out += static_cast<char>(0x80 | (cp & 0x3F));
	} else if (cp < 0x10000) {
		out += static_cast<char>(0xE0 | (cp >> 12));
		out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
		out += static_cast<char>(0x80 | (cp & 0x3F));
	} else {
		out += static_cast<char>(0xF0 | (cp >> 18));
		out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
		out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
		out += static_cast<char>(0x80 | (cp & 0x3F));
	}
}

// Letters and digits: ASCII alphanumerics, and every non-ASCII code point that is not punctuation, a symbol,
// whitespace or a control character in the common blocks (CJK, Latin-1 letters, Cyrillic, ...).
bool isWordChar(char32_t cp)
{
	if (cp < 0x80)
		return std::isalnum(static_cast<int>(cp)) != 0;
	if (cp == 0xFFFD || (cp >= 0x80 && cp < 0xC0) || cp == 0xD7 || cp == 0xF7)
		return false;
	if ((cp >= 0x2000 && cp <= 0x206F) || (cp >= 0x3000 && cp <= 0x303F) || (cp >= 0xFF00 && cp <= 0xFF0F) ||
	    (cp >= 0xFF1A && cp <= 0xFF20) || (cp >= 0xFF3B && cp <= 0xFF40) || (cp >= 0xFF5B && cp <= 0xFF65) ||
	    (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0x2190 && cp <= 0x2BFF) || (cp >= 0x1F000 && cp <= 0x1FAFF) ||
	    (cp >= 0xE000 && cp <= 0xF8FF))
		return false; // punctuation, CJK punctuation, full-width punctuation, arrows/symbols, emoji, private use
	return true;
}

bool isReservedDeviceName(const std::string &stem)
{
	std::string upper;
	for (char c : stem)
		upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
	static const char *reserved[] = {"CON", "PRN", "AUX", "NUL", "CLOCK$", "CONIN$", "CONOUT$"};
	for (const char *r : reserved)
		if (upper == r)
			return true;
	if (upper.size() == 4 && (upper.rfind("COM", 0) == 0 || upper.rfind("LPT", 0) == 0) &&
	    std::isdigit(static_cast<unsigned char>(upper[3])))
		return true;
	return false;
}

std::string twoDigits(int v)
{
	return std::string(1, static_cast<char>('0' + v / 10)) + static_cast<char>('0' + v % 10);
}

} // namespace

std::string promptSlug(const std::string &prompt, size_t maxChars)
{
	std::string out;
	size_t chars = 0;
	bool pendingDash = false;
	for (size_t i = 0; i < prompt.size() && chars < maxChars;) {
		char32_t cp = nextCodePoint(prompt, i);
		if (isWordChar(cp)) {
			if (pendingDash && !out.empty()) {
				out += '-';
				++chars;
				if (chars >= maxChars)
					break;
			}
			pendingDash = false;
			if (cp < 0x80)
				cp = static_cast<char32_t>(std::tolower(static_cast<int>(cp)));
			appendUtf8(out, cp);
			++chars;
		} else {
			pendingDash = true;
		}
	}
	out = sanitizeFileName(out);
	return out.empty() ? "clip" : out;
}

std::string sanitizeFileName(const std::string &name)
{
	std::string out;
	for (size_t i = 0; i < name.size();) {
		size_t start = i;
		char32_t cp = nextCodePoint(name, i);
		if (cp < 0x20 || cp == 0x7F || cp == 0xFFFD)
			continue;
		if (cp == '<' || cp == '>' || cp == ':' || cp == '"' || cp == '/' || cp == '\\' || cp == '|' ||
		    cp == '?' || cp == '*') {
			out += '-';
			continue;
		}
		out.append(name, start, i - start);
	}
	// No leading/trailing dots or spaces ("..", hidden files, names Windows silently alters).
	size_t b = out.find_first_not_of(". ");
	if (b == std::string::npos)
		return {};
	size_t e = out.find_last_not_of(". ");
	out = out.substr(b, e - b + 1);
	std::string stem = out.substr(0, out.find('.'));
	if (isReservedDeviceName(stem))
		out = "_" + out;
	if (out.size() > 200) {
		size_t cut = 200;
		while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80)
			--cut;
		out.resize(cut);
	}
	return out;
}

std::string uniqueClipPath(const std::string &folder, const std::string &prompt, std::int64_t unixTime)
{
	std::time_t t = static_cast<std::time_t>(unixTime);
	std::tm local{};
#ifdef _WIN32
	localtime_s(&local, &t);
#else
	localtime_r(&t, &local);
#endif
	std::string stamp = std::to_string(local.tm_year + 1900) + twoDigits(local.tm_mon + 1) +
			    twoDigits(local.tm_mday) + "-" + twoDigits(local.tm_hour) + twoDigits(local.tm_min) +
			    twoDigits(local.tm_sec);
	std::string base = stamp + "-" + promptSlug(prompt);
	std::string dir = folder;
	while (dir.size() > 1 && (dir.back() == '/' || dir.back() == '\\'))
		dir.pop_back();
	for (int n = 1;; ++n) {
		std::string name = base + (n == 1 ? "" : "-" + std::to_string(n)) + ".mp4";
		std::string path = dir + "/" + name;
		if (!fileExists(path) && !fileExists(path + ".part"))
			return path;
	}
}

} // namespace seedance::core
