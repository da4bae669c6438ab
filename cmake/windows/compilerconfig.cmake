# Windows compiler configuration: MSVC (or clang-cl) at warning level 4, UTF-8 sources, parallel compilation.
# Warnings are errors through CMAKE_COMPILE_WARNING_AS_ERROR (compiler_common.cmake), which CMake turns into /WX.

include_guard(GLOBAL)

include(compiler_common)

option(ENABLE_CCACHE "Use ccache when it is installed (not used with Visual Studio generators)" OFF)

if(MSVC)
  # Level-4 warnings that GCC and Clang do not give with the flags of compiler_common.cmake are off, so that code which
  # builds cleanly on Linux does not fail here on warnings nobody there can see:
  #   4068 unknown pragma (#pragma GCC ... in code shared with Linux)
  #   4127 conditional expression is constant       4201 nameless struct/union (libobs vector types)
  #   4244 4267 narrowing arithmetic conversions    4245 signed/unsigned conversion
  #   4310 cast truncates a constant                4324 structure padded because of alignas
  #   4458 4459 declaration hides a class member or a global (GCC only checks locals: -Wshadow=local)
  #   4701 4703 possibly uninitialized (flow analysis that differs from GCC's)
  #   4702 unreachable code                         4706 assignment inside a condition
  set(
    _seedance_msvc_options
    /W4
    /utf-8
    /bigobj
    /wd4068
    /wd4127
    /wd4201
    /wd4244
    /wd4245
    /wd4267
    /wd4310
    /wd4324
    /wd4458
    /wd4459
    /wd4701
    /wd4702
    /wd4703
    /wd4706
  )
  if(CMAKE_GENERATOR MATCHES "Visual Studio")
    list(APPEND _seedance_msvc_options /MP)
  endif()
  # Options for the C and C++ compilers only: the resource compiler (rc.exe) rejects them.
  add_compile_options(
    "$<$<COMPILE_LANGUAGE:C,CXX>:${_seedance_msvc_options}>"
    "$<$<COMPILE_LANGUAGE:CXX>:/Zc:__cplusplus>"
  )
  add_compile_definitions(
    _CRT_SECURE_NO_WARNINGS
    _CRT_NONSTDC_NO_WARNINGS
    NOMINMAX
    WIN32_LEAN_AND_MEAN
    UNICODE
    _UNICODE
  )
  # Release-like builds drop unreferenced code; RelWithDebInfo keeps its PDB but links non-incrementally.
  add_link_options(
    "$<$<NOT:$<CONFIG:Debug>>:/OPT:REF>"
    "$<$<NOT:$<CONFIG:Debug>>:/OPT:ICF>"
    "$<$<CONFIG:RelWithDebInfo>:/INCREMENTAL:NO>"
  )
else()
  # MinGW GCC or Clang: the same warnings as on Linux.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    add_compile_options(${_seedance_gnu_warnings})
  else()
    add_compile_options(${_seedance_clang_warnings})
  endif()
  if(ENABLE_CCACHE)
    find_program(CCACHE_PROGRAM ccache)
    if(CCACHE_PROGRAM)
      set(CMAKE_C_COMPILER_LAUNCHER ${CCACHE_PROGRAM})
      set(CMAKE_CXX_COMPILER_LAUNCHER ${CCACHE_PROGRAM})
    endif()
  endif()
endif()
