# Linux defaults: dependencies come from the system (libobs-dev, Qt, libcurl, nlohmann-json), install paths follow
# the distribution layout.

include_guard(GLOBAL)
include(GNUInstallDirs)

# Presets pass lib/CMAKE_SYSTEM_PROCESSOR-linux-gnu (Debian/Ubuntu multiarch); resolve the placeholder.
if(CMAKE_INSTALL_LIBDIR MATCHES "(CMAKE_SYSTEM_PROCESSOR)")
  string(REPLACE "CMAKE_SYSTEM_PROCESSOR" "${CMAKE_SYSTEM_PROCESSOR}" CMAKE_INSTALL_LIBDIR "${CMAKE_INSTALL_LIBDIR}")
endif()

# seedance_find_obs(): provides OBS::libobs and OBS::obs-frontend-api from whatever layout the distribution uses
# (config packages as in Debian 12, or the older LibObs module layout with no frontend config file).
macro(seedance_find_obs)
  find_package(libobs QUIET)
  if(NOT TARGET OBS::libobs)
    find_package(LibObs REQUIRED)
    add_library(OBS::libobs ALIAS libobs)
  endif()
  if(ENABLE_FRONTEND_API)
    find_package(obs-frontend-api QUIET)
    if(NOT TARGET OBS::obs-frontend-api)
      find_path(_frontend_include obs-frontend-api.h PATH_SUFFIXES obs REQUIRED)
      find_library(_frontend_lib obs-frontend-api REQUIRED)
      add_library(OBS::obs-frontend-api UNKNOWN IMPORTED)
      set_target_properties(OBS::obs-frontend-api PROPERTIES IMPORTED_LOCATION "${_frontend_lib}"
                                                             INTERFACE_INCLUDE_DIRECTORIES "${_frontend_include}")
    endif()
  endif()
endmacro()
