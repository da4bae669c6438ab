# Operating-system detection: sets OS_LINUX / OS_WINDOWS / OS_MACOS and adds the matching cmake/<os> folder.

include_guard(GLOBAL)

if(CMAKE_HOST_SYSTEM_NAME MATCHES "Windows")
  set(OS_WINDOWS TRUE)
  set(_os_dir windows)
elseif(CMAKE_HOST_SYSTEM_NAME MATCHES "Darwin")
  set(OS_MACOS TRUE)
  set(_os_dir macos)
elseif(CMAKE_HOST_SYSTEM_NAME MATCHES "Linux|FreeBSD|OpenBSD")
  set(OS_LINUX TRUE)
  set(_os_dir linux)
else()
  message(FATAL_ERROR "Unsupported host system: ${CMAKE_HOST_SYSTEM_NAME}")
endif()

list(APPEND CMAKE_MODULE_PATH "${CMAKE_CURRENT_SOURCE_DIR}/cmake/${_os_dir}")
unset(_os_dir)
