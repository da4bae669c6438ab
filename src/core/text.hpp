// User-visible text for core: the same data/locale/*.ini files OBS uses, so the plugin, the CLI and the tests
// speak with one voice in en-US and zh-CN.
#pragma once

#include <functional>
#include <map>
#include <string>

namespace seedance::core {

// A host lookup (the plugin installs obs_module_text); it returns nullptr or the key itself when unknown.
using TextLookup = std::function<const char *(const char *key)>;
void setTextLookup(TextLookup lookup);

// Selects the embedded table ("en-US", "zh-CN"; anything starting with "zh" means zh-CN) used when no host
// lookup is installed. Default en-US.
void setLanguage(const std::string &locale);

// The text for `key`: host lookup, else the embedded table, else en-US, else the key itself.
std::string text(const std::string &key);

// Replaces each {name} in `pattern` with args[name]; unknown placeholders stay as they are.
std::string fillPlaceholders(const std::string &pattern, const std::map<std::string, std::string> &args);

// The first `maxCodePoints` characters of UTF-8 text, never cutting a multi-byte sequence.
std::string truncateUtf8(const std::string &text, size_t maxCodePoints);

// Whether `text` is well-formed UTF-8, and a copy with every byte that is not part of a well-formed sequence
// replaced by U+FFFD (server text in Latin-1 must not reach JSON, Qt or the journal as it is).
bool isValidUtf8(const std::string &text);
std::string toValidUtf8(const std::string &text);

// Parses OBS locale INI text (Key="value" lines, \n and \" escapes).
std::map<std::string, std::string> parseLocaleIni(const std::string &ini);

} // namespace seedance::core
