# Windows build dependencies: the obs-deps, Qt 6 and OBS source archives pinned in buildspec.json, for the
# Visual Studio platform being built (x64), set up in .deps by cmake/common/buildspec_common.cmake.

include_guard(GLOBAL)

include(buildspec_common)

# _check_dependencies_windows(): the Windows names of the archives, then the common download, check and build.
function(_check_dependencies_windows)
  if(CMAKE_VS_PLATFORM_NAME)
    string(TOLOWER "${CMAKE_VS_PLATFORM_NAME}" arch)
  else()
    set(arch x64)
  endif()
  set(platform windows-${arch})

  set(dependencies_dir "${CMAKE_SOURCE_DIR}/.deps")
  set(prebuilt_filename "windows-deps-VERSION-ARCH-REVISION.zip")
  set(prebuilt_destination "obs-deps-VERSION-ARCH")
  set(qt6_filename "windows-deps-qt6-VERSION-ARCH-REVISION.zip")
  set(qt6_destination "obs-deps-qt6-VERSION-ARCH")
  set(obs-studio_filename "VERSION.zip")
  set(obs-studio_destination "obs-studio-VERSION")

  # obs-deps carries curl and nlohmann-json, which the core library and the CLI need in every configuration.
  set(dependencies_list prebuilt)
  if(ENABLE_PLUGIN)
    if(ENABLE_QT)
      list(APPEND dependencies_list qt6)
    endif()
    list(APPEND dependencies_list obs-studio)
  endif()

  _check_dependencies()
  set(CMAKE_PREFIX_PATH "${CMAKE_PREFIX_PATH}" PARENT_SCOPE)
endfunction()

_check_dependencies_windows()
