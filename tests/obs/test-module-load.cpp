// The plugin module loads in a headless libobs process: no widget is created in obs_module_load.
#include "test-framework.hpp"

#include "headless-obs.hpp"

using namespace seedance::test;

TEST_CASE("the plugin module loads without a frontend", "[obs][module]")
{
	// A widget created in obs_module_load would abort this process ("Must construct a QApplication").
	REQUIRE(headlessObs().loadModuleFrom(SEEDANCE_MODULE_PATH, SEEDANCE_MODULE_DATA));
	obs_module_t *module = obs_get_module("obs-seedance");
	REQUIRE(module != nullptr);
	CHECK(std::string(obs_get_module_description(module)).find("Seedance") != std::string::npos);
}
