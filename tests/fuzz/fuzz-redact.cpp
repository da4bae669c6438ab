// Fuzz target: redact(), which every log line, error message and CLI output passes through. Input: a first line
// holding an API key (reduced to the characters keys are made of), then any text.
#include "fuzz-support.hpp"

using namespace seedance;

namespace {

bool isTokenChar(char c)
{
	return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' || c == '~' ||
	       c == '+' || c == '/' || c == '=';
}

bool isKeyChar(char c)
{
	return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
	fuzz::init();
	return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, size_t size)
{
	std::string input(reinterpret_cast<const char *>(data), size);
	size_t eol = input.find('\n');
	std::string key;
	for (char c : input.substr(0, eol))
		if (isKeyChar(c))
			key += c;
	std::string text = eol == std::string::npos ? input : input.substr(eol + 1);
	// A "key" such as "dact" is found inside the replacement text itself, again and again; real keys are longer.
	if (fuzz::contains("[redacted]", key))
		key.clear();

	core::forgetSecrets();
	core::registerSecret(fuzz::kSecret);
	core::registerSecret(key);
	std::string out = core::redact(text);

	// A registered secret never survives, wherever it stands (inside a URL, a token, next to another secret).
	FUZZ_CHECK(!fuzz::contains(out, fuzz::kSecret));
	if (key.size() >= 4)
		FUZZ_CHECK(!fuzz::contains(out, key));

	// Unregistered credentials: no "Bearer <token>" and no "sk-" key of 12 characters or more remains.
	std::string low = fuzz::lower(out);
	for (size_t pos = low.find("bearer "); pos != std::string::npos; pos = low.find("bearer ", pos + 1))
		FUZZ_CHECK(pos + 7 >= out.size() || !isTokenChar(out[pos + 7]));
	for (size_t pos = out.find("sk-"); pos != std::string::npos; pos = out.find("sk-", pos + 1)) {
		if (pos > 0 && isTokenChar(out[pos - 1]))
			continue;
		size_t end = pos;
		while (end < out.size() && isTokenChar(out[end]))
			++end;
		FUZZ_CHECK(end - pos < 12);
	}

	// Text is often redacted twice (describe() then the log): the second pass must change nothing.
	FUZZ_CHECK(core::redact(out) == out);
	return 0;
}
