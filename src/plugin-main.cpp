// Module entry: wiring only. Widgets are created on FINISHED_LOADING, never in obs_module_load, so a headless
// libobs process can load this module; everything stops at EXIT.
#include <obs-frontend-api.h>
#include <obs-module.h>

#include <plugin-support.h>

#include "obs/clip-slot-source.hpp"
#include "ui/seedance-app.hpp"

#include <QtGlobal>

OBS_DECLARE_MODULE()
OBS_MODULE_USE_DEFAULT_LOCALE(PLUGIN_NAME, "en-US")

namespace {

void onFrontendEvent(enum obs_frontend_event event, void *)
{
	auto &app = seedance::ui::SeedanceApp::instance();
	switch (event) {
	case OBS_FRONTEND_EVENT_FINISHED_LOADING:
		app.onFinishedLoading();
		break;
	case OBS_FRONTEND_EVENT_SCENE_CHANGED:
	case OBS_FRONTEND_EVENT_SCENE_COLLECTION_CHANGED:
		app.onSceneChanged();
		break;
	case OBS_FRONTEND_EVENT_EXIT:
		app.onExit();
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
	seedance::ui::SeedanceApp::instance().onModuleLoad();
	seedance::obs::registerClipSlotSource();
	obs_frontend_add_event_callback(onFrontendEvent, nullptr);
	obs_log(LOG_INFO, "loaded (version %s, Qt %d)", PLUGIN_VERSION, QT_VERSION_MAJOR);
	return true;
}

void obs_module_post_load(void)
{
	seedance::ui::SeedanceApp::instance().onPostLoad();
}

void obs_module_unload(void)
{
	seedance::ui::SeedanceApp::instance().onModuleUnload();
	obs_log(LOG_INFO, "unloaded");
}
