# Linux helpers: plugin target properties, install rules and the per-user run directory.

include_guard(GLOBAL)
include(helpers_common)

# set_target_properties_plugin(<target> PROPERTIES ...): names the module, installs it system-wide, and stages it
# in <build>/rundir/<name>/{bin/64bit,data}, which is exactly the per-user plugin layout OBS 28+ searches
# (~/.config/obs-studio/plugins/<name>/...). The run script and the end-to-end tests copy that folder.
function(set_target_properties_plugin target)
  set(options "")
  set(oneValueArgs "")
  set(multiValueArgs PROPERTIES)
  cmake_parse_arguments(PARSE_ARGV 0 _STPO "${options}" "${oneValueArgs}" "${multiValueArgs}")
  set_target_properties(${target} PROPERTIES PREFIX "" ${_STPO_PROPERTIES})

  install(TARGETS ${target} LIBRARY DESTINATION "${CMAKE_INSTALL_LIBDIR}/obs-plugins")
  install(DIRECTORY "${PROJECT_SOURCE_DIR}/data/"
          DESTINATION "${CMAKE_INSTALL_DATAROOTDIR}/obs/obs-plugins/${target}")

  set(_rundir "${CMAKE_BINARY_DIR}/rundir/${target}")
  add_custom_command(
    TARGET ${target}
    POST_BUILD
    COMMAND "${CMAKE_COMMAND}" -E make_directory "${_rundir}/bin/64bit"
    COMMAND "${CMAKE_COMMAND}" -E copy_if_different "$<TARGET_FILE:${target}>" "${_rundir}/bin/64bit/"
    COMMAND "${CMAKE_COMMAND}" -E copy_directory "${PROJECT_SOURCE_DIR}/data" "${_rundir}/data"
    COMMENT "Staging ${target} in rundir/${target}"
    VERBATIM)
  set_property(TARGET ${target} PROPERTY SEEDANCE_RUNDIR "${_rundir}")
endfunction()
