# Windows helpers: plugin target properties, install rules, version resource and the run directory.

include_guard(GLOBAL)

include(helpers_common)

# set_target_properties_plugin(<target> PROPERTIES ...): names the module and installs it in the layout OBS 30+ expects
# under its plugin folder (the install prefix):
#   <name>/bin/64bit/<name>.dll (and .pdb)
#   <name>/data/...
# The same layout is staged in <build>/rundir/<config>/<name>, ready to copy into %ProgramData%/obs-studio/plugins.
function(set_target_properties_plugin target)
  cmake_parse_arguments(PARSE_ARGV 1 _stp "" "" "PROPERTIES")
  set_target_properties(${target} PROPERTIES PREFIX "" ${_stp_PROPERTIES})

  get_target_property(_name ${target} OUTPUT_NAME)
  if(NOT _name)
    set(_name ${target})
  endif()

  install(TARGETS ${target} RUNTIME DESTINATION "${_name}/bin/64bit" LIBRARY DESTINATION "${_name}/bin/64bit")
  if(MSVC)
    install(
      FILES "$<TARGET_PDB_FILE:${target}>"
      CONFIGURATIONS Debug RelWithDebInfo
      DESTINATION "${_name}/bin/64bit"
      OPTIONAL
    )
  endif()
  install(DIRECTORY "${PROJECT_SOURCE_DIR}/data/" DESTINATION "${_name}/data" USE_SOURCE_PERMISSIONS)

  # Version resource of the DLL (file properties in Explorer, OBS log of loaded modules).
  string(TIMESTAMP CURRENT_YEAR "%Y")
  set(_seedance_rc_name "${_name}")
  configure_file(
    "${CMAKE_CURRENT_FUNCTION_LIST_DIR}/resources/resource.rc.in"
    "${CMAKE_CURRENT_BINARY_DIR}/${_name}.rc"
    @ONLY
  )
  target_sources(${target} PRIVATE "${CMAKE_CURRENT_BINARY_DIR}/${_name}.rc")

  set(_rundir "${CMAKE_BINARY_DIR}/rundir/$<CONFIG>/${_name}")
  add_custom_command(
    TARGET ${target}
    POST_BUILD
    COMMAND "${CMAKE_COMMAND}" -E make_directory "${_rundir}/bin/64bit"
    COMMAND "${CMAKE_COMMAND}" -E copy_if_different "$<TARGET_FILE:${target}>" "${_rundir}/bin/64bit/"
    COMMAND "${CMAKE_COMMAND}" -E copy_directory "${PROJECT_SOURCE_DIR}/data" "${_rundir}/data"
    COMMENT "Staging ${_name} in rundir/<config>/${_name}"
    VERBATIM
  )
  set_property(TARGET ${target} PROPERTY SEEDANCE_RUNDIR "${_rundir}")
endfunction()
