// Settings file.
#include "settings.hpp"

#include "file-util.hpp"
#include "redact.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdlib>

namespace seedance::core {

using nlohmann::json;

namespace {
template<typename T> void read(const json &j, const char *key, T &out)
{
	auto it = j.find(key);
	if (it == j.end())
		return;
	try {
		out = it->get<T>();
	} catch (const json::exception &) {
		// A wrong type keeps the default: a hand-edited file never breaks the plugin.
	}
}
} // namespace

Settings loadSettings(const std::string &path, Error *error)
{
	Settings s;
	Error readError;
	auto text = readFile(path, 1u << 20, &readError);
	if (!text) {
		if (error)
			*error = readError;
		return s;
	}
	json j = json::parse(*text, nullptr, false);
	if (j.is_discarded() || !j.is_object()) {
		if (error)
			*error = makeError(ErrorKind::Disk, "Error.Settings.Corrupt", path + " is not JSON",
					   {{"path", path}});
		return s;
	}
	read(j, "api_key", s.apiKey);
	read(j, "base_url", s.baseUrl);
	read(j, "clip_folder", s.clipFolder);
	read(j, "max_concurrent", s.maxConcurrent);
	read(j, "insert_resumed_clips", s.insertResumedClips);
	read(j, "dock_introduced", s.dockIntroduced);
	if (auto d = j.find("defaults"); d != j.end() && d->is_object()) {
		read(*d, "model", s.model);
		read(*d, "duration", s.duration);
		read(*d, "aspect_ratio", s.aspectRatio);
		read(*d, "resolution", s.resolution);
		read(*d, "audio", s.audio);
		read(*d, "playback", s.playback);
		read(*d, "target", s.target);
		read(*d, "first_frame_source", s.firstFrameSource);
	}
	read(j, "recent_prompts", s.recentPrompts);
	if (auto h = j.find("hotkey_generate"); h != j.end() && (h->is_array() || h->is_object()))
		s.hotkeyGenerate = h->dump();
	if (s.recentPrompts.size() > Settings::kMaxRecentPrompts)
		s.recentPrompts.resize(Settings::kMaxRecentPrompts);
	s.maxConcurrent = std::clamp(s.maxConcurrent, 1, 20);
	if (s.baseUrl.empty())
		s.baseUrl = kDefaultBaseUrl;
	registerSecret(s.apiKey);
	return s;
}

Error saveSettings(const std::string &path, const Settings &s)
{
	json j = {{"api_key", s.apiKey},
		  {"base_url", s.baseUrl},
		  {"clip_folder", s.clipFolder},
		  {"max_concurrent", s.maxConcurrent},
		  {"insert_resumed_clips", s.insertResumedClips},
		  {"dock_introduced", s.dockIntroduced},
		  {"defaults",
		   {{"model", s.model},
		    {"duration", s.duration},
		    {"aspect_ratio", s.aspectRatio},
		    {"resolution", s.resolution},
		    {"audio", s.audio},
		    {"playback", s.playback},
		    {"target", s.target},
		    {"first_frame_source", s.firstFrameSource}}},
		  {"recent_prompts", s.recentPrompts}};
	if (!s.hotkeyGenerate.empty()) {
		json hotkey = json::parse(s.hotkeyGenerate, nullptr, false);
		if (!hotkey.is_discarded())
			j["hotkey_generate"] = hotkey;
	}
	registerSecret(s.apiKey);
	if (Error e = writeFileAtomic(path, j.dump(2), /*privateMode=*/true)) {
		e.messageKey = "Error.Settings.Write";
		return e;
	}
	return {};
}

Settings withEnvironment(Settings s, EnvironmentOverrides *overrides)
{
	EnvironmentOverrides o;
	if (const char *key = std::getenv("TOAPIS_API_KEY"); key && *key) {
		s.apiKey = key;
		o.apiKey = true;
	}
	if (const char *base = std::getenv("TOAPIS_BASE_URL"); base && *base) {
		s.baseUrl = base;
		o.baseUrl = true;
	}
	registerSecret(s.apiKey);
	if (overrides)
		*overrides = o;
	return s;
}

void rememberPrompt(Settings &s, const std::string &prompt)
{
	if (prompt.find_first_not_of(" \t\r\n") == std::string::npos)
		return;
	s.recentPrompts.erase(std::remove(s.recentPrompts.begin(), s.recentPrompts.end(), prompt),
			      s.recentPrompts.end());
	s.recentPrompts.insert(s.recentPrompts.begin(), prompt);
	if (s.recentPrompts.size() > Settings::kMaxRecentPrompts)
		s.recentPrompts.resize(Settings::kMaxRecentPrompts);
}

} // namespace seedance::core
