# macOS helpers: the plugin is a loadable bundle, <name>.plugin, with the data/ folder in Contents/Resources.

include_guard(GLOBAL)

include(helpers_common)

# set_target_properties_plugin(<target> PROPERTIES ...): makes the module a .plugin bundle (Info.plist, data/ as
# resources, signing through xcode.cmake) and installs it to the install prefix, normally
# ~/Library/Application Support/obs-studio/plugins/<name>.plugin.
function(set_target_properties_plugin target)
  cmake_parse_arguments(PARSE_ARGV 1 _stp "" "" "PROPERTIES")
  set_target_properties(${target} PROPERTIES PREFIX "" ${_stp_PROPERTIES})

  get_target_property(SEEDANCE_PLUGIN_NAME ${target} OUTPUT_NAME)
  if(NOT SEEDANCE_PLUGIN_NAME)
    set(SEEDANCE_PLUGIN_NAME ${target})
  endif()

  # The Info.plist is complete once configured here; CMake copies it into the bundle as it is.
  string(TIMESTAMP SEEDANCE_YEAR "%Y")
  set(_plist "${CMAKE_CURRENT_BINARY_DIR}/${SEEDANCE_PLUGIN_NAME}-Info.plist")
  configure_file("${CMAKE_CURRENT_FUNCTION_LIST_DIR}/resources/Info.plist.in" "${_plist}" @ONLY)

  set_target_properties(
    ${target}
    PROPERTIES
      BUNDLE TRUE
      BUNDLE_EXTENSION plugin
      MACOSX_BUNDLE_INFO_PLIST "${_plist}"
      XCODE_ATTRIBUTE_PRODUCT_BUNDLE_IDENTIFIER "${MACOS_BUNDLEID}"
      XCODE_ATTRIBUTE_GENERATE_INFOPLIST_FILE NO
  )

  # data/ becomes Contents/Resources/, where OBS looks for a bundle's locale and other data.
  file(GLOB_RECURSE _data_files LIST_DIRECTORIES FALSE "${PROJECT_SOURCE_DIR}/data/*")
  foreach(_file IN LISTS _data_files)
    file(RELATIVE_PATH _relative "${PROJECT_SOURCE_DIR}/data" "${_file}")
    get_filename_component(_folder "${_relative}" DIRECTORY)
    target_sources(${target} PRIVATE "${_file}")
    if(_folder)
      set_source_files_properties("${_file}" PROPERTIES MACOSX_PACKAGE_LOCATION "Resources/${_folder}")
      source_group("Resources/${_folder}" FILES "${_file}")
    else()
      set_source_files_properties("${_file}" PROPERTIES MACOSX_PACKAGE_LOCATION "Resources")
      source_group("Resources" FILES "${_file}")
    endif()
  endforeach()

  install(TARGETS ${target} LIBRARY DESTINATION .)
endfunction()
