// Fuzz target: the URL policy (checkUrlAllowed, urlHost, isLoopbackHost) that guards every request, every
// redirect and every URL a server hands us, and the query stripping that keeps signed URLs out of logs.
// Input: one URL (or host name), as bytes.
#include "fuzz-support.hpp"

#include <curl/curl.h>

#include <arpa/inet.h>

using namespace seedance;

namespace {

std::string curlPart(const std::string &url, CURLUPart part)
{
	CURLU *h = curl_url();
	std::string out;
	char *value = nullptr;
	if (curl_url_set(h, CURLUPART_URL, url.c_str(), 0) == CURLUE_OK &&
	    curl_url_get(h, part, &value, 0) == CURLUE_OK && value)
		out = value;
	curl_free(value);
	curl_url_cleanup(h);
	return out;
}

// What "loopback" must mean for plain http to be safe: the connection cannot leave the machine. A name is only
// trusted when it is "localhost"; anything else must be a literal loopback address.
bool reallyLoopback(std::string host)
{
	host = fuzz::lower(host);
	if (host.size() > 2 && host.front() == '[' && host.back() == ']')
		host = host.substr(1, host.size() - 2);
	if (host == "localhost")
		return true;
	unsigned char addr[16];
	if (inet_pton(AF_INET6, host.c_str(), addr) == 1)
		return std::all_of(addr, addr + 15, [](unsigned char b) { return b == 0; }) && addr[15] == 1;
	// inet_pton accepts dotted quads only (no "127.1", no octal): the form curl normalises hosts to.
	if (inet_pton(AF_INET, host.c_str(), addr) == 1)
		return addr[0] == 127;
	return false;
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
	fuzz::init();
	curl_global_init(CURL_GLOBAL_DEFAULT);
	return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, size_t size)
{
	if (size > 4096)
		return 0; // URLs are short; long inputs only slow curl's parser down
	std::string input(reinterpret_cast<const char *>(data), size);
	if (input.find('\0') != std::string::npos)
		return 0; // the C API below stops at the first NUL, as curl does

	// The input as a host name (the loopback test is used on hosts taken from URLs and redirects).
	if (core::isLoopbackHost(input))
		FUZZ_CHECK(reallyLoopback(input));

	std::string host = core::urlHost(input);
	FUZZ_CHECK(host == fuzz::lower(host));

	core::Error policy = core::checkUrlAllowed(input);
	if (!policy) {
		// Allowed: https anywhere, http only when the connection cannot leave the machine (plain http to a
		// remote host would expose the API key and the frames).
		std::string scheme = fuzz::lower(curlPart(input, CURLUPART_SCHEME));
		FUZZ_CHECK(scheme == "https" || scheme == "http");
		if (scheme == "http")
			FUZZ_CHECK(reallyLoopback(curlPart(input, CURLUPART_HOST)));
	} else {
		fuzz::checkError(policy);
		FUZZ_CHECK(policy.kind == core::ErrorKind::InvalidInput);
		// The refusal names the URL, but never its (signed) query.
		FUZZ_CHECK(policy.args.count("url") && policy.args.at("url") == core::stripQuery(input));
	}

	// A URL we would request keeps its path in logs but loses all of its query and fragment, where signatures
	// live (URLs of RFC 3986 characters; anything else is not a URL a server can hand out).
	static const std::string kUrlChars = "-._~:/?#[]@!$&'()*+,;=%";
	bool rfc3986 = std::all_of(input.begin(), input.end(), [](char c) {
		return std::isalnum(static_cast<unsigned char>(c)) || kUrlChars.find(c) != std::string::npos;
	});
	size_t query = input.find_first_of("?#");
	if (!policy && rfc3986 && query != std::string::npos && input.find("://") < query) {
		std::string out = core::redact(input);
		FUZZ_CHECK(out.size() >= 10 && out.compare(out.size() - 10, 10, "[redacted]") == 0);
	}

	std::string stripped = core::stripQuery(input);
	FUZZ_CHECK(stripped.find_first_of("?#") == std::string::npos);
	FUZZ_CHECK(input.rfind(stripped, 0) == 0);
	return 0;
}
