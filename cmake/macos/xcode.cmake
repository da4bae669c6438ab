# Xcode project settings: signing, hardened runtime (notarization needs it), debug symbols, hidden symbols, and ccache
# through wrapper scripts (Xcode has no compiler launcher setting).

include_guard(GLOBAL)

if(ENABLE_CCACHE AND CCACHE_PROGRAM)
  foreach(_lang IN ITEMS c cxx)
    if(_lang STREQUAL "c")
      set(SEEDANCE_LAUNCHER_COMPILER "${CMAKE_C_COMPILER}")
    else()
      set(SEEDANCE_LAUNCHER_COMPILER "${CMAKE_CXX_COMPILER}")
    endif()
    configure_file(
      "${CMAKE_CURRENT_LIST_DIR}/resources/ccache-launcher.in"
      "${CMAKE_BINARY_DIR}/ccache-launcher-${_lang}"
      FILE_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE
      @ONLY
    )
  endforeach()
  unset(SEEDANCE_LAUNCHER_COMPILER)
  set(CMAKE_XCODE_ATTRIBUTE_CC "${CMAKE_BINARY_DIR}/ccache-launcher-c")
  set(CMAKE_XCODE_ATTRIBUTE_CXX "${CMAKE_BINARY_DIR}/ccache-launcher-cxx")
  set(CMAKE_XCODE_ATTRIBUTE_LD "${CMAKE_C_COMPILER}")
  set(CMAKE_XCODE_ATTRIBUTE_LDPLUSPLUS "${CMAKE_CXX_COMPILER}")
endif()

set(CMAKE_XCODE_ATTRIBUTE_MACOSX_DEPLOYMENT_TARGET "${CMAKE_OSX_DEPLOYMENT_TARGET}")
set(CMAKE_XCODE_ATTRIBUTE_MARKETING_VERSION "${PROJECT_VERSION}")
set(CMAKE_XCODE_ATTRIBUTE_CURRENT_PROJECT_VERSION "${PROJECT_VERSION}")

# Signing: automatic with a team and no explicit identity, manual otherwise (ad hoc "-" by default).
if(CODESIGN_TEAM AND (NOT CODESIGN_IDENTITY OR CODESIGN_IDENTITY STREQUAL "-"))
  set(CMAKE_XCODE_ATTRIBUTE_CODE_SIGN_STYLE Automatic)
else()
  set(CMAKE_XCODE_ATTRIBUTE_CODE_SIGN_STYLE Manual)
  set(CMAKE_XCODE_ATTRIBUTE_CODE_SIGN_IDENTITY "${CODESIGN_IDENTITY}")
endif()
if(CODESIGN_TEAM)
  set(CMAKE_XCODE_ATTRIBUTE_DEVELOPMENT_TEAM "${CODESIGN_TEAM}")
endif()

# Notarization wants the hardened runtime, no debugging entitlements and, with a real identity, a secure timestamp.
foreach(_config IN ITEMS Release RelWithDebInfo MinSizeRel)
  set(CMAKE_XCODE_ATTRIBUTE_ENABLE_HARDENED_RUNTIME[variant=${_config}] YES)
  set(CMAKE_XCODE_ATTRIBUTE_CODE_SIGN_INJECT_BASE_ENTITLEMENTS[variant=${_config}] NO)
  if(CODESIGN_IDENTITY AND NOT CODESIGN_IDENTITY STREQUAL "-")
    set(CMAKE_XCODE_ATTRIBUTE_OTHER_CODE_SIGN_FLAGS[variant=${_config}] "--timestamp")
  endif()
endforeach()

# Separate dSYM bundles for the builds that are shipped.
set(CMAKE_XCODE_ATTRIBUTE_DEBUG_INFORMATION_FORMAT[variant=Debug] dwarf)
set(CMAKE_XCODE_ATTRIBUTE_DEBUG_INFORMATION_FORMAT[variant=RelWithDebInfo] dwarf-with-dsym)
set(CMAKE_XCODE_ATTRIBUTE_DEBUG_INFORMATION_FORMAT[variant=Release] dwarf-with-dsym)
set(CMAKE_XCODE_ATTRIBUTE_DEBUG_INFORMATION_FORMAT[variant=MinSizeRel] dwarf-with-dsym)

# Symbols are hidden unless exported (the module exports only the obs_module_* entry points).
set(CMAKE_XCODE_ATTRIBUTE_GCC_SYMBOLS_PRIVATE_EXTERN YES)
set(CMAKE_XCODE_ATTRIBUTE_GCC_INLINES_ARE_PRIVATE_EXTERN YES)
set(CMAKE_XCODE_ATTRIBUTE_DEAD_CODE_STRIPPING YES)
set(CMAKE_XCODE_ATTRIBUTE_ONLY_ACTIVE_ARCH[variant=Debug] YES)

# Xcode's own warning settings stay at their defaults: the warnings are those of compilerconfig.cmake, the same as on
# Linux. This one is on in Xcode's project template and fires on Qt's framework headers.
set(CMAKE_XCODE_ATTRIBUTE_CLANG_WARN_QUOTED_INCLUDE_IN_FRAMEWORK_HEADER NO)

# One project file; Xcode links the libraries it knows the location of.
set(CMAKE_XCODE_GENERATE_TOP_LEVEL_PROJECT_ONLY TRUE)
set(CMAKE_XCODE_LINK_BUILD_PHASE_MODE KNOWN_LOCATION)

# No rpath of the build machine; at run time the plugin finds libobs, obs-frontend-api and Qt in OBS.app.
set(CMAKE_SKIP_RPATH TRUE)
set(CMAKE_XCODE_ATTRIBUTE_LD_RUNPATH_SEARCH_PATHS "@executable_path/../Frameworks")
