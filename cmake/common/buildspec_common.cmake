# Build dependencies of the Windows and macOS builds, set up the way obs-plugintemplate does it.
#
# buildspec.json pins three archives under "dependencies", each with a SHA-256 per platform:
#   prebuilt    obs-deps (FFmpeg, jansson, curl, nlohmann-json, ...), the libraries OBS itself is built with
#   qt6         obs-deps' Qt 6, the same Qt the OBS release ships
#   obs-studio  the OBS sources of the release the plugin targets
# They are downloaded into ${CMAKE_SOURCE_DIR}/.deps, checked against their hash and unpacked. The OBS sources are then
# configured without plugins and without the frontend, only obs-frontend-api (which pulls in libobs) is built, in Debug
# and Release, and its Development component is installed into .deps. The prefixes end up in CMAKE_PREFIX_PATH, so the
# plain find_package() calls of the project find libobs, obs-frontend-api, Qt6, CURL and nlohmann_json.
#
# The per-platform cmake/<os>/buildspec.cmake sets the variables read here (dependencies_dir, arch, platform,
# dependencies_list and <dependency>_filename / <dependency>_destination) and calls _check_dependencies().
# Linux never includes this file: it builds against the distribution's packages.
#
# Stamps keep reconfiguring cheap: an unpacked archive carries .seedance-unpacked (its hash), an installed OBS leaves
# .deps/obs-studio-<arch>.installed. Once stamped, the archives and the OBS source and build trees may be deleted (CI
# does, before caching .deps). Logs of the OBS configure, build and install steps are in .deps/logs.

include_guard(GLOBAL)

# _seedance_deps_tail(<file> <out>): the last few kilobytes of a log, for error messages.
function(_seedance_deps_tail file out)
  set(_text "")
  if(EXISTS "${file}")
    file(SIZE "${file}" _size)
    set(_offset 0)
    if(_size GREATER 6000)
      math(EXPR _offset "${_size} - 6000")
    endif()
    file(READ "${file}" _text OFFSET ${_offset})
  endif()
  set(${out} "${_text}" PARENT_SCOPE)
endfunction()

# _seedance_deps_run(<label> <log> <workdir> <command>...): runs a command with its output in <log>; on failure stops
# the configuration and shows the end of the log.
function(_seedance_deps_run label log workdir)
  message(STATUS "${label}")
  execute_process(
    COMMAND ${ARGN}
    WORKING_DIRECTORY "${workdir}"
    OUTPUT_FILE "${log}"
    ERROR_FILE "${log}"
    RESULT_VARIABLE _result
  )
  if(NOT _result EQUAL 0)
    _seedance_deps_tail("${log}" _tail)
    message(FATAL_ERROR "${label} failed (${_result}). End of ${log}:\n${_tail}")
  endif()
  message(STATUS "${label} - done")
endfunction()

# _seedance_deps_fetch(<url> <archive> <sha256> <label>): makes sure <archive> exists with the pinned SHA-256,
# downloading it when it is missing or does not match.
function(_seedance_deps_fetch url archive sha256 label)
  string(TOLOWER "${sha256}" _expected)
  if(EXISTS "${archive}")
    file(SHA256 "${archive}" _actual)
    if(_actual STREQUAL _expected)
      return()
    endif()
    message(STATUS "${label}: ${archive} does not match the pinned SHA-256, downloading it again")
    file(REMOVE "${archive}")
  endif()

  message(STATUS "${label}: downloading ${url}")
  file(DOWNLOAD "${url}" "${archive}.part" STATUS _status TLS_VERIFY ON)
  list(GET _status 0 _code)
  if(NOT _code EQUAL 0)
    list(GET _status 1 _message)
    file(REMOVE "${archive}.part")
    message(FATAL_ERROR "${label}: could not download ${url}: ${_message}")
  endif()

  file(SHA256 "${archive}.part" _actual)
  if(NOT _actual STREQUAL _expected)
    file(REMOVE "${archive}.part")
    message(
      FATAL_ERROR
      "${label}: SHA-256 mismatch for ${url}\n"
      "  expected (buildspec.json): ${_expected}\n"
      "  downloaded:                ${_actual}"
    )
  endif()
  file(RENAME "${archive}.part" "${archive}")
endfunction()

# _seedance_deps_prebuilt_prefix(<version> <qt> <out>): an entry of CMAKE_PREFIX_PATH given by the developer that
# already holds obs-deps of <version> (the Qt 6 package when <qt> is true, the other one otherwise), so that it is used
# instead of a second download.
function(_seedance_deps_prebuilt_prefix version qt out)
  set(${out} "" PARENT_SCOPE)
  foreach(_prefix IN LISTS CMAKE_PREFIX_PATH)
    if(NOT EXISTS "${_prefix}/share/obs-deps/VERSION")
      continue()
    endif()
    if(EXISTS "${_prefix}/lib/cmake/Qt6/Qt6Config.cmake")
      set(_has_qt TRUE)
    else()
      set(_has_qt FALSE)
    endif()
    if(NOT _has_qt STREQUAL qt)
      continue()
    endif()
    file(READ "${_prefix}/share/obs-deps/VERSION" _found)
    string(STRIP "${_found}" _found)
    if(_found STREQUAL version)
      set(${out} "${_prefix}" PARENT_SCOPE)
      return()
    endif()
  endforeach()
endfunction()

# _seedance_deps_config_dir(<package> <out>): the directory of <package>Config.cmake in the OBS development files
# installed into dependencies_dir (Windows: cmake/<package>, macOS: lib/cmake/<package> or inside the framework).
function(_seedance_deps_config_dir package out)
  set(${out} "" PARENT_SCOPE)
  foreach(
    _dir
    IN ITEMS
      "${dependencies_dir}/cmake/${package}"
      "${dependencies_dir}/lib/cmake/${package}"
      "${dependencies_dir}/Frameworks/${package}.framework/Resources/cmake"
      "${dependencies_dir}/Frameworks/${package}.framework/Versions/A/Resources/cmake"
  )
    if(EXISTS "${_dir}/${package}Config.cmake")
      set(${out} "${_dir}" PARENT_SCOPE)
      return()
    endif()
  endforeach()
endfunction()

# _seedance_deps_obs_installed(<stamp_text> <out>): true when the OBS development files of this buildspec are installed.
function(_seedance_deps_obs_installed stamp_text out)
  set(${out} FALSE PARENT_SCOPE)
  set(_stamp "${dependencies_dir}/obs-studio-${arch}.installed")
  if(NOT EXISTS "${_stamp}")
    return()
  endif()
  file(READ "${_stamp}" _done)
  _seedance_deps_config_dir(libobs _libobs_dir)
  _seedance_deps_config_dir(obs-frontend-api _frontend_dir)
  if(_done STREQUAL stamp_text AND _libobs_dir AND _frontend_dir)
    set(${out} TRUE PARENT_SCOPE)
  endif()
endfunction()

# _seedance_deps_build_obs(<source_dir> <version> <prefixes>): builds obs-frontend-api and libobs from the OBS sources
# in Debug and Release and installs their Development component into dependencies_dir.
function(_seedance_deps_build_obs source_dir version prefixes)
  set(_build_dir "${source_dir}/build_${arch}")
  set(_logs "${dependencies_dir}/logs")
  file(MAKE_DIRECTORY "${_logs}")

  # Settings go through an initial-cache file: lists such as CMAKE_PREFIX_PATH survive it unsplit. OBS's own dependency
  # step (its buildspec.json) finds obs-deps and Qt 6 of the same version in CMAKE_PREFIX_PATH and downloads nothing.
  set(_init "${dependencies_dir}/obs-studio-${arch}-init.cmake")
  string(
    CONCAT
    _settings
    "# Written by cmake/common/buildspec_common.cmake of ${PROJECT_NAME}\n"
    "set(CMAKE_PREFIX_PATH [==[${prefixes}]==] CACHE PATH \"\")\n"
    "set(OBS_CMAKE_VERSION 3.0.0 CACHE STRING \"\")\n"
    "set(OBS_VERSION_OVERRIDE [==[${version}]==] CACHE STRING \"\")\n"
    "set(ENABLE_PLUGINS OFF CACHE BOOL \"\")\n"
    "set(ENABLE_UI OFF CACHE BOOL \"\")\n"
    "set(ENABLE_FRONTEND OFF CACHE BOOL \"\")\n"
    "set(ENABLE_SCRIPTING OFF CACHE BOOL \"\")\n"
    # OBS's own dependency step then skips the Chromium download, which only obs-browser needs.
    "set(ENABLE_BROWSER OFF CACHE BOOL \"\")\n"
  )
  set(_generator_args -G "${CMAKE_GENERATOR}")
  if(OS_WINDOWS)
    if(CMAKE_GENERATOR_PLATFORM)
      list(APPEND _generator_args -A "${CMAKE_GENERATOR_PLATFORM}")
    endif()
    if(CMAKE_GENERATOR_TOOLSET)
      list(APPEND _generator_args -T "${CMAKE_GENERATOR_TOOLSET}")
    endif()
  elseif(OS_MACOS)
    # OBS only builds on macOS with the Xcode generator; its libobs is a universal framework.
    set(_generator_args -G Xcode)
    string(
      APPEND
      _settings
      "set(CMAKE_OSX_ARCHITECTURES [==[arm64;x86_64]==] CACHE STRING \"\")\n"
      "set(CMAKE_OSX_DEPLOYMENT_TARGET [==[${CMAKE_OSX_DEPLOYMENT_TARGET}]==] CACHE STRING \"\")\n"
    )
  endif()
  file(WRITE "${_init}" "${_settings}")

  _seedance_deps_run(
    "Configure OBS ${version} (${arch})"
    "${_logs}/obs-studio-configure.log"
    "${source_dir}"
    "${CMAKE_COMMAND}" -S "${source_dir}" -B "${_build_dir}" -C "${_init}" ${_generator_args}
  )
  foreach(_config IN ITEMS Debug Release)
    _seedance_deps_run(
      "Build obs-frontend-api and libobs ${version} (${_config}, ${arch})"
      "${_logs}/obs-studio-build-${_config}.log"
      "${source_dir}"
      "${CMAKE_COMMAND}" --build "${_build_dir}" --target obs-frontend-api --config ${_config} --parallel
    )
  endforeach()
  # Debug first: both configurations install files of the same names, so the libraries left are the Release ones, and
  # the per-configuration target files of both are there.
  foreach(_config IN ITEMS Debug Release)
    _seedance_deps_run(
      "Install the OBS development files (${_config}) into ${dependencies_dir}"
      "${_logs}/obs-studio-install-${_config}.log"
      "${source_dir}"
      "${CMAKE_COMMAND}" --install "${_build_dir}" --component Development --config ${_config} --prefix
      "${dependencies_dir}"
    )
  endforeach()
endfunction()

# _check_dependencies(): downloads, verifies and unpacks every dependency of dependencies_list, builds the OBS
# development files, and appends the prefixes to CMAKE_PREFIX_PATH (cache and caller).
function(_check_dependencies)
  file(READ "${CMAKE_SOURCE_DIR}/buildspec.json" _buildspec)
  string(JSON _dependencies GET "${_buildspec}" dependencies)
  file(MAKE_DIRECTORY "${dependencies_dir}")

  # Entries inside .deps come from an earlier run (possibly of an older buildspec): drop them, this run adds back the
  # current ones. What is left was given by the developer.
  set(_given_prefixes "")
  foreach(_prefix IN LISTS CMAKE_PREFIX_PATH)
    string(FIND "${_prefix}" "${dependencies_dir}" _at)
    if(NOT _at EQUAL 0)
      list(APPEND _given_prefixes "${_prefix}")
    endif()
  endforeach()
  set(CMAKE_PREFIX_PATH "${_given_prefixes}")

  set(_prefixes "")
  foreach(_dependency IN LISTS dependencies_list)
    string(JSON _version GET "${_dependencies}" ${_dependency} version)
    string(JSON _base_url GET "${_dependencies}" ${_dependency} baseUrl)
    string(JSON _label GET "${_dependencies}" ${_dependency} label)
    string(JSON _hash ERROR_VARIABLE _hash_error GET "${_dependencies}" ${_dependency} hashes ${platform})
    if(_hash_error)
      message(FATAL_ERROR "buildspec.json has no SHA-256 of '${_dependency}' for platform '${platform}'")
    endif()
    string(JSON _revision ERROR_VARIABLE _revision_error GET "${_dependencies}" ${_dependency} revision ${platform})
    if(_revision_error)
      set(_revision "")
    endif()

    set(_file "${${_dependency}_filename}")
    set(_destination "${${_dependency}_destination}")
    if(NOT _file OR NOT _destination)
      message(FATAL_ERROR "No archive name is known for dependency '${_dependency}' on ${platform}")
    endif()
    foreach(_var IN ITEMS _file _destination)
      string(REPLACE "VERSION" "${_version}" ${_var} "${${_var}}")
      string(REPLACE "ARCH" "${arch}" ${_var} "${${_var}}")
    endforeach()
    if(_revision)
      string(REPLACE "_REVISION" "_v${_revision}" _file "${_file}")
      string(REPLACE "-REVISION" "-v${_revision}" _file "${_file}")
    else()
      string(REPLACE "_REVISION" "" _file "${_file}")
      string(REPLACE "-REVISION" "" _file "${_file}")
    endif()

    if(_dependency STREQUAL "obs-studio")
      set(_url "${_base_url}/${_file}")
    else()
      set(_url "${_base_url}/${_version}/${_file}")
    endif()
    set(_archive "${dependencies_dir}/${_file}")
    set(_unpacked "${dependencies_dir}/${_destination}")

    if(_dependency STREQUAL "obs-studio")
      set(_stamp_text "${_version} ${_hash}")
      _seedance_deps_obs_installed("${_stamp_text}" _installed)
      if(NOT _installed)
        message(STATUS "Setting up ${_label} ${_version} (${arch})")
        _seedance_deps_fetch("${_url}" "${_archive}" "${_hash}" "${_label}")
        # A GitHub tag archive holds one folder, obs-studio-<version>, which is the destination.
        set(_done "")
        if(EXISTS "${_unpacked}/.seedance-unpacked")
          file(READ "${_unpacked}/.seedance-unpacked" _done)
        endif()
        if(NOT _done STREQUAL _hash)
          file(REMOVE_RECURSE "${_unpacked}")
          message(STATUS "${_label}: unpacking ${_file}")
          file(ARCHIVE_EXTRACT INPUT "${_archive}" DESTINATION "${dependencies_dir}")
          if(NOT EXISTS "${_unpacked}/CMakeLists.txt")
            message(FATAL_ERROR "${_label}: ${_file} did not unpack into ${_unpacked}")
          endif()
          file(WRITE "${_unpacked}/.seedance-unpacked" "${_hash}")
        endif()
        set(_obs_prefixes ${CMAKE_PREFIX_PATH} ${_prefixes})
        list(REMOVE_DUPLICATES _obs_prefixes)
        _seedance_deps_build_obs("${_unpacked}" "${_version}" "${_obs_prefixes}")
        _seedance_deps_config_dir(libobs _libobs_dir)
        _seedance_deps_config_dir(obs-frontend-api _frontend_dir)
        if(NOT _libobs_dir OR NOT _frontend_dir)
          message(FATAL_ERROR "${_label}: the installed OBS development files lack libobs or obs-frontend-api")
        endif()
        file(WRITE "${dependencies_dir}/obs-studio-${arch}.installed" "${_stamp_text}")
      endif()

      # Windows installs the OBS packages to <prefix>/cmake/<package>, which find_package() does not look into from
      # <prefix> alone: the cmake folder is a prefix too (it also serves find_dependency(w32-pthreads)).
      list(APPEND _prefixes "${dependencies_dir}" "${dependencies_dir}/cmake")
      foreach(_package IN ITEMS libobs obs-frontend-api)
        _seedance_deps_config_dir(${_package} _package_dir)
        set(_keep FALSE)
        if(DEFINED ${_package}_DIR)
          if(EXISTS "${${_package}_DIR}/${_package}Config.cmake")
            set(_keep TRUE)
          endif()
        endif()
        if(NOT _keep)
          set(${_package}_DIR "${_package_dir}" CACHE PATH "Directory of ${_package}Config.cmake (from .deps)" FORCE)
        endif()
      endforeach()
      message(STATUS "Setting up ${_label} ${_version} (${arch}) - done")
      continue()
    endif()

    set(_with_qt FALSE)
    if(_dependency STREQUAL "qt6")
      set(_with_qt TRUE)
    endif()
    # Looks only at the prefixes the developer gave (CMAKE_PREFIX_PATH holds no .deps entry at this point).
    _seedance_deps_prebuilt_prefix("${_version}" ${_with_qt} _existing)
    if(_existing)
      message(STATUS "Setting up ${_label} ${_version} - using ${_existing}")
      continue()
    endif()

    set(_unpacked_stamp "${_unpacked}/.seedance-unpacked")
    set(_done "")
    if(EXISTS "${_unpacked_stamp}")
      file(READ "${_unpacked_stamp}" _done)
    endif()
    if(NOT _done STREQUAL _hash)
      message(STATUS "Setting up ${_label} ${_version} (${arch})")
      _seedance_deps_fetch("${_url}" "${_archive}" "${_hash}" "${_label}")
      file(REMOVE_RECURSE "${_unpacked}")
      file(MAKE_DIRECTORY "${_unpacked}")
      message(STATUS "${_label}: unpacking ${_file}")
      file(ARCHIVE_EXTRACT INPUT "${_archive}" DESTINATION "${_unpacked}")
      file(WRITE "${_unpacked_stamp}" "${_hash}")
    endif()
    list(APPEND _prefixes "${_unpacked}")
    message(STATUS "Setting up ${_label} ${_version} (${arch}) - done")
  endforeach()

  list(APPEND CMAKE_PREFIX_PATH ${_prefixes})
  list(REMOVE_DUPLICATES CMAKE_PREFIX_PATH)
  set(CMAKE_PREFIX_PATH "${CMAKE_PREFIX_PATH}" CACHE PATH "Prefixes searched by find_package()" FORCE)
  set(CMAKE_PREFIX_PATH "${CMAKE_PREFIX_PATH}" PARENT_SCOPE)
endfunction()
