// SeedanceApp: lifecycle of the plugin's parts across OBS's module and frontend events.
#include "seedance-app.hpp"

#include "dock-compat.hpp"
#include "generate-dock.hpp"
#include "job-list.hpp"
#include "obs-context.hpp"
#include "settings-dialog.hpp"
#include "ui-stall-probe.hpp"

#include "core/job-runner.hpp"
#include "core/log.hpp"
#include "core/task-queue.hpp"
#include "core/text.hpp"
#include "obs/clip-inserter.hpp"
#include "obs/clip-slot-source.hpp"
#include "obs/frame-grabber.hpp"
#include "obs/obs-frame-provider.hpp"
#include "obs/obs-log.hpp"
#include "obs/websocket-vendor.hpp"

#include <obs-frontend-api.h>
#include <obs-module.h>
#include <util/bmem.h>

#include <QCoreApplication>
#include <QDir>
#include <QMainWindow>
#include <QStandardPaths>

namespace seedance::ui {

namespace {

constexpr const char *kDockId = "obs-seedance-dock";
constexpr const char *kHotkeyName = "obs-seedance.generate";

std::string modulePath(const char *file)
{
	char *path = obs_module_config_path(file);
	std::string out = path ? path : "";
	bfree(path);
	return out;
}

void onFrontendSave(obs_data_t *, bool saving, void *)
{
	if (saving)
		SeedanceApp::instance().onFrontendSaveHook();
}

} // namespace

SeedanceApp &SeedanceApp::instance()
{
	static SeedanceApp app;
	return app;
}

void SeedanceApp::onModuleLoad()
{
	obs::installLogSink();
	core::setTextLookup([](const char *key) { return obs_module_text(key); });
}

void SeedanceApp::onPostLoad()
{
	obs::VendorHost host;
	host.runner = [this] {
		return running_ ? runner_.get() : nullptr;
	};
	host.defaults = [this] {
		return core::specDefaults(settings());
	};
	host.currentSceneName = [this] {
		std::lock_guard<std::mutex> lock(sceneMutex_);
		return currentScene_;
	};
	host.uiProbe = [this](bool reset) {
		return readUiProbe(reset);
	};
	vendor_ = std::make_unique<obs::WebSocketVendor>(host);
	vendor_->registerRequests();
}

std::optional<obs::UiProbeReading> SeedanceApp::readUiProbe(bool reset)
{
	std::lock_guard<std::mutex> lock(probeMutex_);
	if (!probe_)
		return std::nullopt;
	obs::UiProbeReading reading{static_cast<double>(probe_->longestGapUs()) / 1000.0,
				    static_cast<double>(probe_->windowUs()) / 1000.0};
	if (reset)
		probe_->reset();
	return reading;
}

void SeedanceApp::onSceneChanged()
{
	OBSSourceAutoRelease scene = obs_frontend_get_current_scene();
	std::lock_guard<std::mutex> lock(sceneMutex_);
	currentScene_ = scene ? obs_source_get_name(scene) : "";
}

std::string SeedanceApp::defaultClipFolder() const
{
	QString movies = QStandardPaths::writableLocation(QStandardPaths::MoviesLocation);
	if (movies.isEmpty())
		movies = QDir::homePath() + "/Videos";
	return QDir(movies).filePath("obs-seedance").toStdString();
}

core::Settings SeedanceApp::settings() const
{
	std::lock_guard<std::mutex> lock(settingsMutex_);
	return core::withEnvironment(fileSettings_);
}

void SeedanceApp::onFinishedLoading()
{
	configPath_ = modulePath("config.json");
	core::Error settingsError;
	fileSettings_ = core::loadSettings(configPath_, &settingsError);
	if (settingsError)
		core::logWarning("settings: " + core::describe(settingsError));
	core::Settings effective = core::withEnvironment(fileSettings_, &overrides_);

	engine_ = std::make_unique<core::HttpEngine>();
	background_ = std::make_unique<core::TaskQueue>();
	grabber_ = std::make_unique<obs::FrameGrabber>();
	frames_ = std::make_unique<obs::ObsFrameProvider>(*grabber_);
	// Called on the inserter's worker: the scene tracked on the UI thread, or OBS's answer when that name is
	// stale (a renamed scene), as obs-websocket asks it from its own threads.
	inserter_ = std::make_unique<obs::ClipInserter>([this] {
		std::string name;
		{
			std::lock_guard<std::mutex> lock(sceneMutex_);
			name = currentScene_;
		}
		OBSSourceAutoRelease scene = name.empty() ? nullptr : obs_get_source_by_name(name.c_str());
		if (!scene || !obs_scene_from_source(scene))
			scene = obs_frontend_get_current_scene();
		return OBSSource(scene.Get());
	});

	core::RunnerConfig config;
	config.client.apiKey = effective.apiKey;
	config.client.baseUrl = effective.baseUrl;
	config.poll = core::pollConfigFromEnvironment();
	config.clipFolder = effective.clipFolder.empty() ? defaultClipFolder() : effective.clipFolder;
	config.dataFolder = modulePath("");
	config.maxConcurrent = effective.maxConcurrent;
	config.insertResumedClips = effective.insertResumedClips;
	runner_ = std::make_unique<core::JobRunner>(config, *engine_, frames_.get(), inserter_.get());
	if (core::Error e = runner_->start())
		core::logWarning("jobs are not durable this session: " + core::describe(e));

	obsContext_ = std::make_unique<LiveObsContext>();
	DockServices services;
	services.runner = runner_.get();
	services.obs = obsContext_.get();
	services.settings = [this] {
		return settings();
	};
	services.saveSettings = [this](const core::Settings &s) {
		saveSettings(s);
	};
	services.openSettings = [this] {
		openSettings();
	};
	auto *dock = new GenerateDock(services);
	bool firstTime = !fileSettings_.dockIntroduced;
	if (!addDock(kDockId, obs_module_text("Dock.Title"), dock, firstTime)) {
		core::logWarning("could not register the dock");
		delete dock;
	} else {
		dock_ = dock;
		if (firstTime) {
			core::Settings s = fileSettings_;
			s.dockIntroduced = true;
			saveSettings(s);
		}
	}
	registerHotkey();
	obs_frontend_add_tools_menu_item(
		obs_module_text("Menu.Settings"), [](void *) { SeedanceApp::instance().openSettings(); }, nullptr);
	obs_frontend_add_save_callback(onFrontendSave, nullptr);
	onSceneChanged();
	if (vendor_)
		vendor_->attach(runner_.get());
	auto slotHost = std::make_shared<obs::SlotHost>();
	slotHost->submit = [runner = runner_.get()](core::JobSpec spec) {
		return runner->submit(std::move(spec));
	};
	slotHost->defaults = [this] {
		return core::specDefaults(settings());
	};
	obs::setSlotHost(slotHost);
	if (UiStallProbe::enabledByEnvironment()) {
		std::lock_guard<std::mutex> lock(probeMutex_);
		probe_ = std::make_unique<UiStallProbe>();
		core::logInfo("UI stall probe on (SEEDANCE_UI_STALL_PROBE=1)");
	}
	running_ = true;
	core::logInfo(std::string("ready: ") + std::to_string(runner_->jobs().size()) +
		      " job(s) in the list, clips go to " + config.clipFolder);
}

void SeedanceApp::onFrontendSaveHook()
{
	saveHotkey();
}

void SeedanceApp::registerHotkey()
{
	hotkey_ = obs_hotkey_register_frontend(
		kHotkeyName, obs_module_text("Hotkey.Generate"),
		[](void *, obs_hotkey_id, obs_hotkey_t *, bool pressed) {
			if (!pressed)
				return;
			// Hotkeys fire on OBS's hotkey thread: the dock lives on the UI thread.
			QMetaObject::invokeMethod(
				QCoreApplication::instance(),
				[] {
					if (auto *dock = SeedanceApp::instance().dock())
						dock->generate();
				},
				Qt::QueuedConnection);
		},
		nullptr);
	std::string saved = settings().hotkeyGenerate;
	if (!saved.empty()) {
		OBSDataAutoRelease wrapper = obs_data_create_from_json(("{\"bindings\":" + saved + "}").c_str());
		OBSDataArrayAutoRelease bindings = obs_data_get_array(wrapper, "bindings");
		if (bindings)
			obs_hotkey_load(hotkey_, bindings);
	}
}

void SeedanceApp::saveHotkey()
{
	if (hotkey_ == OBS_INVALID_HOTKEY_ID)
		return;
	OBSDataArrayAutoRelease bindings = obs_hotkey_save(hotkey_);
	OBSDataAutoRelease wrapper = obs_data_create();
	obs_data_set_array(wrapper, "bindings", bindings);
	std::string json = obs_data_get_json(wrapper);
	// Only the array, as OBS writes it.
	auto start = json.find('[');
	auto end = json.rfind(']');
	std::string array = start != std::string::npos && end != std::string::npos ? json.substr(start, end - start + 1)
										   : "[]";
	core::Settings s;
	{
		std::lock_guard<std::mutex> lock(settingsMutex_);
		if (fileSettings_.hotkeyGenerate == array)
			return;
		fileSettings_.hotkeyGenerate = array;
		s = fileSettings_;
	}
	saveSettings(s);
}

void SeedanceApp::saveSettings(const core::Settings &updated)
{
	core::Settings file;
	{
		std::lock_guard<std::mutex> lock(settingsMutex_);
		fileSettings_ = updated;
		file = fileSettings_;
	}
	core::Settings effective = core::withEnvironment(file, &overrides_);
	if (runner_) {
		core::ClientConfig client = runner_->config().client;
		client.apiKey = effective.apiKey;
		client.baseUrl = effective.baseUrl;
		runner_->reconfigure(client, effective.maxConcurrent,
				     effective.clipFolder.empty() ? defaultClipFolder() : effective.clipFolder);
	}
	auto write = [path = configPath_, file](const core::CancelToken &) {
		if (core::Error e = core::saveSettings(path, file))
			core::logError("settings: " + core::describe(e));
	};
	// The file is written off the UI thread (fsync can take a while); at exit, right here.
	if (background_ && running_)
		background_->post(write);
	else
		write(core::CancelToken());
	if (dock_)
		dock_->reloadSettings();
}

void SeedanceApp::openSettings()
{
	if (!running_)
		return;
	SettingsServices services;
	services.fileSettings = [this] {
		std::lock_guard<std::mutex> lock(settingsMutex_);
		return fileSettings_;
	};
	services.overrides = overrides_;
	services.save = [this](const core::Settings &s) {
		saveSettings(s);
	};
	services.defaultClipFolder = defaultClipFolder();
	services.testKey = [this](const core::ClientConfig &config, std::function<void(core::Error, int)> done) {
		if (!background_)
			return;
		background_->post([this, config, done](const core::CancelToken &cancel) {
			core::ToApisClient client(*engine_, config);
			auto models = client.listModels(cancel);
			core::Error error = models ? core::Error{} : models.error();
			int count = models ? static_cast<int>(models->size()) : 0;
			QMetaObject::invokeMethod(
				QCoreApplication::instance(), [done, error, count] { done(error, count); },
				Qt::QueuedConnection);
		});
	};
	auto *main = static_cast<QWidget *>(obs_frontend_get_main_window());
	SettingsDialog dialog(services, main);
	dialog.exec();
}

void SeedanceApp::onExit()
{
	if (!running_)
		return;
	running_ = false;
	obs::setSlotHost(nullptr);
	if (vendor_) {
		vendor_->detach();
		vendor_->unregisterRequests();
	}
	{
		std::lock_guard<std::mutex> lock(probeMutex_);
		probe_.reset();
	}
	saveHotkey();
	obs_frontend_remove_save_callback(onFrontendSave, nullptr);
	if (dock_)
		dock_->detach();
	if (runner_)
		runner_->shutdown();
	if (inserter_)
		inserter_->shutdown();
	if (grabber_)
		grabber_->shutdown();
	if (background_)
		background_->stop();
	if (engine_)
		engine_->shutdown();
	if (hotkey_ != OBS_INVALID_HOTKEY_ID) {
		obs_hotkey_unregister(hotkey_);
		hotkey_ = OBS_INVALID_HOTKEY_ID;
	}
	obsContext_.reset();
}

void SeedanceApp::onModuleUnload()
{
	// Stopped at EXIT already; a headless process that never finished loading gets here with nothing running.
	vendor_.reset();
	runner_.reset();
	inserter_.reset();
	frames_.reset();
	grabber_.reset();
	background_.reset();
	engine_.reset();
	core::setTextLookup(nullptr);
	obs::removeLogSink();
}

} // namespace seedance::ui
