# macOS defaults: dependencies come from .deps (buildspec.cmake downloads and builds them), the plugin is a .plugin
# bundle installed to ~/Library/Application Support/obs-studio/plugins, where OBS 28+ looks for third-party plugins.

include_guard(GLOBAL)

include(GNUInstallDirs)

# Signing: ad hoc ("-") unless the preset passes a team or an identity (CODESIGN_TEAM, CODESIGN_IDENTITY from the
# environment variables CODESIGN_TEAM and CODESIGN_IDENT).
if(NOT CODESIGN_TEAM)
  set(CODESIGN_TEAM "" CACHE STRING "Apple developer team for code signing" FORCE)
  if(NOT CODESIGN_IDENTITY)
    set(CODESIGN_IDENTITY "-" CACHE STRING "Code signing identity (\"-\" signs ad hoc)" FORCE)
  endif()
endif()

if(NOT CMAKE_OSX_DEPLOYMENT_TARGET)
  set(CMAKE_OSX_DEPLOYMENT_TARGET 12.0 CACHE STRING "Oldest macOS the plugin runs on" FORCE)
endif()

if(XCODE)
  include(xcode)
endif()

# Targets found by find_package() are visible to every directory (the module, the UI library and the tests share them).
set(CMAKE_FIND_PACKAGE_TARGETS_GLOBAL TRUE)

include(buildspec)

if(CMAKE_INSTALL_PREFIX_INITIALIZED_TO_DEFAULT)
  set(
    CMAKE_INSTALL_PREFIX
    "$ENV{HOME}/Library/Application Support/obs-studio/plugins"
    CACHE PATH
    "Directory OBS loads third-party plugins from"
    FORCE
  )
endif()

# The plugin is loaded by OBS.app, whose Frameworks folder holds libobs, obs-frontend-api and Qt: the binaries refer
# to them through @rpath and carry no rpath of the build machine.
set(CMAKE_MACOSX_RPATH TRUE)
set(CMAKE_BUILD_WITH_INSTALL_RPATH FALSE)
set(CMAKE_INSTALL_RPATH_USE_LINK_PATH FALSE)
set(CMAKE_INSTALL_RPATH "@executable_path/../Frameworks")

# seedance_find_obs(): provides OBS::libobs and OBS::obs-frontend-api from the OBS development files in .deps.
macro(seedance_find_obs)
  find_package(libobs REQUIRED)
  if(ENABLE_FRONTEND_API)
    find_package(obs-frontend-api REQUIRED)
  endif()
endmacro()
