// Secret redaction for every log line, error message and CLI output.
#include "redact.hpp"

#include <algorithm>
#include <cctype>
#include <mutex>
#include <vector>

namespace seedance::core {

namespace {

constexpr std::string_view kRedacted = "[redacted]";

std::mutex &secretsMutex()
{
	static std::mutex m;
	return m;
}

std::vector<std::string> &secrets()
{
	static std::vector<std::string> s;
	return s;
}

bool isTokenChar(char c)
{
	return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' || c == '~' ||
	       c == '+' || c == '/' || c == '=';
}

// Where a URL in prose ends. Only characters that never occur in a URL count: ' ( ) [ ] , and friends are legal
// in paths and queries (RFC 3986), and stopping at them left the rest of a signed query in the log. Prose such as
// "(see https://x/y?a=b)" loses its closing parenthesis to the redaction instead, the safe way round.
bool isUrlChar(char c)
{
	return !std::isspace(static_cast<unsigned char>(c)) && c != '"' && c != '<' && c != '>' && c != '`';
}

void replaceAll(std::string &text, const std::string &needle)
{
	if (needle.empty())
		return;
	size_t pos = 0;
	while ((pos = text.find(needle, pos)) != std::string::npos) {
		text.replace(pos, needle.size(), kRedacted);
		pos += kRedacted.size();
	}
}

bool startsWithNoCase(const std::string &text, size_t pos, std::string_view prefix)
{
	if (text.size() - pos < prefix.size())
		return false;
	for (size_t i = 0; i < prefix.size(); ++i)
		if (std::tolower(static_cast<unsigned char>(text[pos + i])) != prefix[i])
			return false;
	return true;
}

// "Bearer abc" and "sk-abc…" style tokens.
void redactTokens(std::string &text)
{
	for (size_t pos = 0; pos < text.size(); ++pos) {
		size_t tokenStart = std::string::npos;
		if (startsWithNoCase(text, pos, "bearer ")) {
			tokenStart = pos + 7;
		} else if ((pos == 0 || !isTokenChar(text[pos - 1])) && text.compare(pos, 3, "sk-") == 0) {
			tokenStart = pos;
		}
		if (tokenStart == std::string::npos)
			continue;
		size_t end = tokenStart;
		while (end < text.size() && isTokenChar(text[end]))
			++end;
		// "sk-" followed by a short word is prose ("sk-learn"), not a key.
		if (end - tokenStart < (tokenStart == pos ? 12u : 1u))
			continue;
		text.replace(tokenStart, end - tokenStart, kRedacted);
		pos = tokenStart + kRedacted.size() - 1;
	}
}

// Query strings and fragments of http(s) URLs.
void redactQueries(std::string &text)
{
	size_t pos = 0;
	while (pos < text.size()) {
		size_t scheme = text.find("://", pos);
		if (scheme == std::string::npos)
			break;
		size_t end = scheme + 3;
		while (end < text.size() && isUrlChar(text[end]) && text[end] != '?' && text[end] != '#')
			++end;
		if (end < text.size() && (text[end] == '?' || text[end] == '#')) {
			size_t qend = end + 1;
			while (qend < text.size() && isUrlChar(text[qend]))
				++qend;
			text.replace(end + 1, qend - end - 1, kRedacted);
			end += 1 + kRedacted.size();
		}
		pos = end;
	}
}

} // namespace

void registerSecret(std::string_view secret)
{
	if (secret.size() < 4)
		return;
	std::lock_guard<std::mutex> lock(secretsMutex());
	auto &list = secrets();
	if (std::find(list.begin(), list.end(), secret) == list.end())
		list.emplace_back(secret);
	// Longest first, so a secret containing another is replaced whole.
	std::sort(list.begin(), list.end(),
		  [](const std::string &a, const std::string &b) { return a.size() > b.size(); });
}

void forgetSecrets()
{
	std::lock_guard<std::mutex> lock(secretsMutex());
	secrets().clear();
}

std::string redact(std::string_view input)
{
	std::string text(input);
	redactQueries(text); // first: a secret inside a query must not split it
	{
		std::lock_guard<std::mutex> lock(secretsMutex());
		for (const auto &secret : secrets())
			replaceAll(text, secret);
	}
	redactTokens(text);
	return text;
}

std::string stripQuery(std::string_view url)
{
	size_t cut = url.find_first_of("?#");
	return std::string(url.substr(0, cut));
}

} // namespace seedance::core
