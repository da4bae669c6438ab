# Windows defaults: dependencies come from .deps (buildspec.cmake downloads and builds them), plugins install to the
# folder OBS 30+ scans for third-party plugins, %ProgramData%/obs-studio/plugins/<name>/{bin/64bit,data}.

include_guard(GLOBAL)

include(GNUInstallDirs)

# Targets found by find_package() are visible to every directory (the module, the UI library and the tests share them).
set(CMAKE_FIND_PACKAGE_TARGETS_GLOBAL TRUE)

include(buildspec)

if(CMAKE_INSTALL_PREFIX_INITIALIZED_TO_DEFAULT)
  if(DEFINED ENV{ALLUSERSPROFILE})
    file(TO_CMAKE_PATH "$ENV{ALLUSERSPROFILE}/obs-studio/plugins" _seedance_install_prefix)
  else()
    set(_seedance_install_prefix "C:/ProgramData/obs-studio/plugins")
  endif()
  set(
    CMAKE_INSTALL_PREFIX
    "${_seedance_install_prefix}"
    CACHE PATH
    "Directory OBS loads third-party plugins from"
    FORCE
  )
  unset(_seedance_install_prefix)
endif()

# seedance_find_obs(): provides OBS::libobs and OBS::obs-frontend-api from the OBS development files in .deps.
macro(seedance_find_obs)
  find_package(libobs REQUIRED)
  if(ENABLE_FRONTEND_API)
    find_package(obs-frontend-api REQUIRED)
  endif()
endmacro()
