# macOS build dependencies: the universal obs-deps, Qt 6 and OBS source archives pinned in buildspec.json, set up in
# .deps by cmake/common/buildspec_common.cmake.

include_guard(GLOBAL)

include(buildspec_common)

# _check_dependencies_macos(): the macOS names of the archives, then the common download, check and build.
function(_check_dependencies_macos)
  set(arch universal)
  set(platform macos)

  set(dependencies_dir "${CMAKE_SOURCE_DIR}/.deps")
  set(prebuilt_filename "macos-deps-VERSION-ARCH-REVISION.tar.xz")
  set(prebuilt_destination "obs-deps-VERSION-ARCH")
  set(qt6_filename "macos-deps-qt6-VERSION-ARCH-REVISION.tar.xz")
  set(qt6_destination "obs-deps-qt6-VERSION-ARCH")
  set(obs-studio_filename "VERSION.tar.gz")
  set(obs-studio_destination "obs-studio-VERSION")

  # obs-deps carries nlohmann-json (curl comes from the macOS SDK); the core library and the CLI always need them.
  set(dependencies_list prebuilt)
  if(ENABLE_PLUGIN)
    if(ENABLE_QT)
      list(APPEND dependencies_list qt6)
    endif()
    list(APPEND dependencies_list obs-studio)
  endif()

  _check_dependencies()

  # Downloads carry the quarantine attribute; the linker and dyld must be able to use the libraries. Best effort: the
  # attribute is absent when the archives came through curl or CMake.
  execute_process(
    COMMAND xattr -r -d com.apple.quarantine "${dependencies_dir}"
    RESULT_VARIABLE _result
    OUTPUT_QUIET
    ERROR_QUIET
  )

  # libobs is installed as a framework.
  list(APPEND CMAKE_FRAMEWORK_PATH "${dependencies_dir}/Frameworks")
  list(REMOVE_DUPLICATES CMAKE_FRAMEWORK_PATH)
  set(CMAKE_FRAMEWORK_PATH "${CMAKE_FRAMEWORK_PATH}" PARENT_SCOPE)
  set(CMAKE_PREFIX_PATH "${CMAKE_PREFIX_PATH}" PARENT_SCOPE)
endfunction()

_check_dependencies_macos()
