# Compiler settings shared by every platform: language levels, visibility and warnings-as-errors.

include_guard(GLOBAL)

set(CMAKE_C_STANDARD 17)
set(CMAKE_C_STANDARD_REQUIRED ON)
set(CMAKE_CXX_STANDARD 17)
set(CMAKE_CXX_STANDARD_REQUIRED ON)
set(CMAKE_CXX_EXTENSIONS OFF)

set(CMAKE_C_VISIBILITY_PRESET hidden)
set(CMAKE_CXX_VISIBILITY_PRESET hidden)
set(CMAKE_VISIBILITY_INLINES_HIDDEN ON)
set(CMAKE_POSITION_INDEPENDENT_CODE ON)

# Same default as obs-plugintemplate: warnings are errors unless a developer preset turns it off.
if(NOT DEFINED CMAKE_COMPILE_WARNING_AS_ERROR)
  set(CMAKE_COMPILE_WARNING_AS_ERROR ON)
endif()

set(_seedance_gnu_warnings
    -Wall
    -Wextra
    -Wvla
    -Wformat
    -Wformat-security
    -Wswitch
    -Wunused-parameter
    -Wshadow=local
    -Wno-missing-field-initializers
    -Werror=return-type
)
set(_seedance_clang_warnings
    -Wall
    -Wextra
    -Wvla
    -Wformat
    -Wformat-security
    -Wswitch
    -Wshadow-uncaptured-local
    -Wno-missing-field-initializers
    -Werror=return-type
)
