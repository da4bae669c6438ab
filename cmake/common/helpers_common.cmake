# Helpers shared by every platform: Qt flavour selection (QT_VERSION AUTO|5|6) and embedding data files.

include_guard(GLOBAL)

set(QT_VERSION
    AUTO
    CACHE STRING "Qt major to build against: AUTO (the one the found OBS links), 5 or 6")
set_property(CACHE QT_VERSION PROPERTY STRINGS AUTO 5 6)

# seedance_obs_qt_major(<out>): the Qt major that the libobs found at configure time was built with.
# OBS 28.0-29.0 install obsconfig.h with OBS_QT_VERSION (Debian 12's OBS 29.0.2 says 5); OBS 30+ is Qt6 only.
function(seedance_obs_qt_major out)
  set(_major 6)
  if(TARGET OBS::libobs)
    get_target_property(_incs OBS::libobs INTERFACE_INCLUDE_DIRECTORIES)
    foreach(_dir IN LISTS _incs)
      if(EXISTS "${_dir}/obsconfig.h")
        file(STRINGS "${_dir}/obsconfig.h" _line REGEX "^#define OBS_QT_VERSION [0-9]+")
        if(_line)
          string(REGEX REPLACE "^#define OBS_QT_VERSION ([0-9]+).*" "\\1" _major "${_line}")
        endif()
        break()
      endif()
    endforeach()
  endif()
  set(${out} ${_major} PARENT_SCOPE)
endfunction()

# seedance_find_qt(COMPONENTS ...): finds Qt<major> and provides versionless Qt::<component> targets.
macro(seedance_find_qt)
  cmake_parse_arguments(_sfq "" "" "COMPONENTS" ${ARGN})
  if(QT_VERSION STREQUAL "AUTO")
    seedance_obs_qt_major(SEEDANCE_QT_MAJOR)
    message(STATUS "QT_VERSION=AUTO: the OBS found links Qt${SEEDANCE_QT_MAJOR}")
  elseif(QT_VERSION MATCHES "^[56]$")
    set(SEEDANCE_QT_MAJOR ${QT_VERSION})
  else()
    message(FATAL_ERROR "QT_VERSION must be AUTO, 5 or 6 (got '${QT_VERSION}')")
  endif()
  find_package(Qt${SEEDANCE_QT_MAJOR} 5.15 REQUIRED COMPONENTS Core ${_sfq_COMPONENTS})
  foreach(_component IN ITEMS Core ${_sfq_COMPONENTS})
    if(NOT TARGET Qt::${_component})
      add_library(Qt::${_component} INTERFACE IMPORTED)
      set_target_properties(Qt::${_component} PROPERTIES INTERFACE_LINK_LIBRARIES Qt${SEEDANCE_QT_MAJOR}::${_component})
    endif()
  endforeach()
  message(STATUS "Building the Qt${SEEDANCE_QT_MAJOR} flavour (Qt ${Qt${SEEDANCE_QT_MAJOR}Core_VERSION})")
endmacro()

# seedance_embed_file(<target> <file> <symbol>): compiles <file> into <target> as
# `extern const unsigned char <symbol>[]; extern const size_t <symbol>_size;` (namespace seedance::embedded).
function(seedance_embed_file target file symbol)
  get_filename_component(_abs "${file}" ABSOLUTE)
  set(_out "${CMAKE_CURRENT_BINARY_DIR}/embedded/${symbol}.cpp")
  add_custom_command(
    OUTPUT "${_out}"
    COMMAND ${CMAKE_COMMAND} -DINPUT=${_abs} -DOUTPUT=${_out} -DSYMBOL=${symbol} -P
            "${PROJECT_SOURCE_DIR}/cmake/common/embed-file.cmake"
    DEPENDS "${_abs}" "${PROJECT_SOURCE_DIR}/cmake/common/embed-file.cmake"
    COMMENT "Embedding ${file}"
    VERBATIM)
  target_sources(${target} PRIVATE "${_out}")
endfunction()
