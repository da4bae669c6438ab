# Project bootstrap: reads buildspec.json and prepares the CMake environment before project(), as the
# obs-plugintemplate does, so every OBS plugin developer finds the same entry points.

include_guard(GLOBAL)

if(CMAKE_SOURCE_DIR STREQUAL CMAKE_BINARY_DIR)
  message(FATAL_ERROR "In-source builds are not supported. Use a preset (cmake --preset <name>) or -B build_dir.")
endif()

# Imported targets built in one configuration may be consumed by another.
set(CMAKE_MAP_IMPORTED_CONFIG_RELWITHDEBINFO RelWithDebInfo Release MinSizeRel None "")
set(CMAKE_MAP_IMPORTED_CONFIG_MINSIZEREL MinSizeRel Release RelWithDebInfo None "")
set(CMAKE_MAP_IMPORTED_CONFIG_RELEASE Release RelWithDebInfo MinSizeRel None "")
set(CMAKE_MAP_IMPORTED_CONFIG_DEBUG Debug RelWithDebInfo Release MinSizeRel None "")

file(READ "${CMAKE_CURRENT_SOURCE_DIR}/buildspec.json" _buildspec)
string(JSON _name GET ${_buildspec} name)
string(JSON _displayName GET ${_buildspec} displayName)
string(JSON _version GET ${_buildspec} version)
string(JSON _author GET ${_buildspec} author)
string(JSON _website GET ${_buildspec} website)
string(JSON _email GET ${_buildspec} email)
string(JSON _bundleId GET ${_buildspec} platformConfig macos bundleId)

set(PLUGIN_AUTHOR "${_author}")
set(PLUGIN_WEBSITE "${_website}")
set(PLUGIN_EMAIL "${_email}")
set(PLUGIN_DISPLAY_NAME "${_displayName}")
set(MACOS_BUNDLEID "${_bundleId}")

string(REPLACE "." ";" _version_parts "${_version}")
list(GET _version_parts 0 PLUGIN_VERSION_MAJOR)
list(GET _version_parts 1 PLUGIN_VERSION_MINOR)
list(GET _version_parts 2 PLUGIN_VERSION_PATCH)
unset(_version_parts)

list(APPEND CMAKE_MODULE_PATH "${CMAKE_CURRENT_SOURCE_DIR}/cmake/common")
include(osconfig)

set(CMAKE_EXPORT_COMPILE_COMMANDS ON)
