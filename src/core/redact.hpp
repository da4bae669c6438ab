// Removes secrets (API keys, bearer tokens, signed URL query strings) from any text before it is logged or shown.
#pragma once

#include <string>
#include <string_view>

namespace seedance::core {

// Registers a secret (e.g. the API key) so that redact() replaces every occurrence. Thread-safe.
// Secrets shorter than 4 characters are ignored (they would redact ordinary words).
void registerSecret(std::string_view secret);
void forgetSecrets();

// Returns `text` with registered secrets, `Bearer <token>`, `sk-…` keys and URL query strings replaced by
// "[redacted]". URL paths stay, so a log line still says which endpoint or file was involved.
std::string redact(std::string_view text);

// Returns `url` without its query string and fragment (signed download URLs carry their signature there).
std::string stripQuery(std::string_view url);

} // namespace seedance::core
