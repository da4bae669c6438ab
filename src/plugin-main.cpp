// Module entry: wiring only. Widgets are created on FINISHED_LOADING, never in obs_module_load, so a headless
// libobs process can load this module.
#include <obs-frontend-api.h>
#include <obs-module.h>

#include <plugin-support.h>

#include "obs/obs-log.hpp"
#include "ui/dock-compat.hpp"
#include "ui/generate-dock.hpp"

#include <QtGlobal>

OBS_DECLARE_MODULE()
OBS_MODULE_USE_DEFAULT_LOCALE(PLUGIN_NAME, "en-US")

namespace {

constexpr const char *kDockId = "obs-seedance-dock";

void onFrontendEvent(enum obs_frontend_event event, void *)
{
	switch (event) {
	case OBS_FRONTEND_EVENT_FINISHED_LOADING: {
		auto *dock = new seedance::ui::GenerateDock();
		if (!seedance::ui::addDock(kDockId, obs_module_text("Dock.Title"), dock)) {
			obs_log(LOG_WARNING, "could not register the dock");
			delete dock;
		}
		break;
	}
	case OBS_FRONTEND_EVENT_EXIT:
		obs_frontend_remove_event_callback(onFrontendEvent, nullptr);
		break;
	default:
		break;
	}
}

} // namespace

MODULE_EXPORT const char *obs_module_description(void)
{
	return obs_module_text("Plugin.Description");
}

bool obs_module_load(void)
{
	seedance::obs::installLogSink();
	obs_frontend_add_event_callback(onFrontendEvent, nullptr);
	obs_log(LOG_INFO, "loaded (version %s, Qt %d)", PLUGIN_VERSION, QT_VERSION_MAJOR);
	return true;
}

void obs_module_unload(void)
{
	seedance::obs::removeLogSink();
	obs_log(LOG_INFO, "unloaded");
}
