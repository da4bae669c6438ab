# Sanitizer and fuzzing builds (GCC or Clang): SEEDANCE_SANITIZE instruments every target of the build,
# SEEDANCE_FUZZ adds the libFuzzer targets of tests/fuzz (Clang only).

include_guard(GLOBAL)

set(SEEDANCE_SANITIZE
    ""
    CACHE STRING "Sanitizers for every target, as for -fsanitize= (e.g. address,undefined); empty = none")
option(SEEDANCE_FUZZ "Build the libFuzzer targets of tests/fuzz (Clang; implies SEEDANCE_SANITIZE=address,undefined)"
       OFF)

if(SEEDANCE_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "SEEDANCE_FUZZ needs Clang (libFuzzer); configure with CC=clang CXX=clang++")
  endif()
  if(NOT ENABLE_TESTS)
    message(FATAL_ERROR "SEEDANCE_FUZZ needs ENABLE_TESTS=ON (the fuzz targets run as CTest tests, label fuzz)")
  endif()
  # A fuzzer without a memory-error detector only finds crashes; with ASan/UBSan every out-of-bounds read and
  # every undefined operation in the code under test is a finding, so the whole build gets them.
  if(NOT SEEDANCE_SANITIZE)
    set(SEEDANCE_SANITIZE address,undefined)
  endif()
endif()

if(SEEDANCE_SANITIZE)
  if(MSVC)
    message(FATAL_ERROR "SEEDANCE_SANITIZE supports GCC and Clang only")
  endif()
  message(STATUS "Sanitizers: ${SEEDANCE_SANITIZE}")
  # No recovery: a finding aborts the test that hit it instead of scrolling by in its output. Frame pointers give
  # the sanitizers' stack traces every frame.
  add_compile_options(-fsanitize=${SEEDANCE_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${SEEDANCE_SANITIZE})
endif()
