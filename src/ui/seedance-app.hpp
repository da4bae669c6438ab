// The running plugin: owns the settings, the HTTP engine, the frame grabber, the job runner, the dock, the hotkey
// and the Tools menu entry, and takes them up and down with OBS's frontend events. plugin-main.cpp only forwards
// module and frontend events here.
#pragma once

#include "core/settings.hpp"
#include "generate-dock.hpp"

#include <obs.h>

#include <QPointer>

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace seedance::core {
class HttpEngine;
class JobRunner;
class TaskQueue;
} // namespace seedance::core

namespace seedance::obs {
class FrameGrabber;
class WebSocketVendor;
struct UiProbeReading;
class ObsFrameProvider;
class ClipInserter;
} // namespace seedance::obs

namespace seedance::ui {

class LiveObsContext;
class UiStallProbe;

class SeedanceApp {
public:
	static SeedanceApp &instance();

	void onModuleLoad();      // no widgets, no network: log sink, text lookup, frontend callbacks
	void onPostLoad();        // obs-websocket vendor requests (obs-websocket has loaded by now)
	void onSceneChanged();    // remembers the program scene for websocket requests (UI thread)
	void onFinishedLoading(); // settings, runner (resumes jobs), dock, hotkey, Tools menu
	void onExit();            // everything down within a second; no frontend call afterwards
	void onModuleUnload();

	core::JobRunner *runner() const { return runner_.get(); }
	GenerateDock *dock() const { return dock_; }
	// The settings in effect (file + environment).
	core::Settings settings() const;
	// Stores new file settings (written off the UI thread) and applies them.
	void saveSettings(const core::Settings &settings);
	void openSettings();
	std::string defaultClipFolder() const;
	// OBS saves the scene collection (and with it, possibly, new hotkey bindings).
	void onFrontendSaveHook();

private:
	void registerHotkey();
	void saveHotkey();
	std::optional<obs::UiProbeReading> readUiProbe(bool reset);

	mutable std::mutex settingsMutex_;
	core::Settings fileSettings_;
	core::EnvironmentOverrides overrides_;
	std::string configPath_;

	std::unique_ptr<core::HttpEngine> engine_;
	std::unique_ptr<core::TaskQueue> background_;
	std::unique_ptr<obs::FrameGrabber> grabber_;
	std::unique_ptr<obs::ObsFrameProvider> frames_;
	std::unique_ptr<obs::ClipInserter> inserter_;
	std::unique_ptr<core::JobRunner> runner_;
	std::unique_ptr<LiveObsContext> obsContext_;
	std::unique_ptr<obs::WebSocketVendor> vendor_;
	mutable std::mutex sceneMutex_;
	std::string currentScene_;
	QPointer<GenerateDock> dock_;
	std::mutex probeMutex_;
	std::unique_ptr<UiStallProbe> probe_; // only with SEEDANCE_UI_STALL_PROBE=1
	obs_hotkey_id hotkey_ = OBS_INVALID_HOTKEY_ID;
	std::atomic<bool> running_{false}; // read by obs-websocket's threads
};

} // namespace seedance::ui
