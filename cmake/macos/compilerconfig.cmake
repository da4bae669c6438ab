# macOS compiler configuration (AppleClang, through Xcode or any other generator). The deployment target and the
# architectures come from the preset (CMAKE_OSX_DEPLOYMENT_TARGET, CMAKE_OSX_ARCHITECTURES); defaults.cmake only fills
# them in when they are missing.

include_guard(GLOBAL)

include(compiler_common)

option(ENABLE_CCACHE "Use ccache when it is installed" OFF)
if(ENABLE_CCACHE)
  find_program(CCACHE_PROGRAM ccache)
  # Xcode ignores compiler launchers: xcode.cmake wraps the compilers instead.
  if(CCACHE_PROGRAM AND NOT XCODE)
    set(CMAKE_C_COMPILER_LAUNCHER ${CCACHE_PROGRAM})
    set(CMAKE_CXX_COMPILER_LAUNCHER ${CCACHE_PROGRAM})
    set(CMAKE_OBJC_COMPILER_LAUNCHER ${CCACHE_PROGRAM})
    set(CMAKE_OBJCXX_COMPILER_LAUNCHER ${CCACHE_PROGRAM})
  endif()
endif()

# The same warnings as a Clang build on Linux. Qt's frameworks include their own headers with quotes, which Clang
# reports once they are found through -F; that warning is about Qt, not this project.
add_compile_options(${_seedance_clang_warnings} -Wno-quoted-include-in-framework-header)
