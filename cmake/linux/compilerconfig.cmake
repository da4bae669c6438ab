# Linux compiler configuration (GCC or Clang).

include_guard(GLOBAL)
include(compiler_common)

if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  add_compile_options(${_seedance_gnu_warnings})
else()
  add_compile_options(${_seedance_clang_warnings})
endif()

option(ENABLE_CCACHE "Use ccache when it is installed" OFF)
if(ENABLE_CCACHE)
  find_program(CCACHE_PROGRAM ccache)
  if(CCACHE_PROGRAM)
    set(CMAKE_C_COMPILER_LAUNCHER ${CCACHE_PROGRAM})
    set(CMAKE_CXX_COMPILER_LAUNCHER ${CCACHE_PROGRAM})
  endif()
endif()
