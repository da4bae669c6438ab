// The plugin's settings: obs_module_config_path("config.json"), written atomically with mode 0600 (the API key
// lives only here, never in a scene collection or a log). TOAPIS_API_KEY / TOAPIS_BASE_URL override the file for
// automation without being written to it.
#pragma once

#include "error.hpp"
#include "expected.hpp"
#include "toapis-client.hpp"

#include <string>
#include <vector>

namespace seedance::core {

struct Settings {
	std::string apiKey;
	std::string baseUrl = kDefaultBaseUrl;
	std::string clipFolder; // empty = the default (<Videos>/obs-seedance)
	int maxConcurrent = 3;
	bool insertResumedClips = false;

	// Defaults of the compose controls (and of websocket Generate requests that omit them).
	std::string model = ModelCatalog::kDefaultModel;
	int duration = 5;
	std::string aspectRatio = "canvas";
	std::string resolution = "720p";
	bool audio = false;
	std::string playback = "once";
	std::string target = "current";         // "current", "library", "scene:<name>" or "slot:<name>"
	std::string firstFrameSource;           // "" = program output
	std::vector<std::string> recentPrompts; // newest first, at most kMaxRecentPrompts
	static constexpr size_t kMaxRecentPrompts = 10;
	// The binding of the "generate" hotkey (OBS's own JSON for obs_hotkey_save/obs_hotkey_load), kept here so
	// it survives restarts and scene-collection switches.
	std::string hotkeyGenerate;
	// The dock was shown once (on the plugin's first start); afterwards OBS's saved layout decides.
	bool dockIntroduced = false;
};

// What an environment variable changed (shown in the settings dialog so nobody wonders why a key "does not
// save").
struct EnvironmentOverrides {
	bool apiKey = false;
	bool baseUrl = false;
};

// Reads the file; a missing file gives the defaults, an unreadable one gives the defaults and the error.
Settings loadSettings(const std::string &path, Error *error = nullptr);
Error saveSettings(const std::string &path, const Settings &settings);
// The settings in effect: the file's, with TOAPIS_API_KEY / TOAPIS_BASE_URL applied.
Settings withEnvironment(Settings settings, EnvironmentOverrides *overrides = nullptr);
// Adds a prompt to the front of the recent list (deduplicated, capped).
void rememberPrompt(Settings &settings, const std::string &prompt);

} // namespace seedance::core
