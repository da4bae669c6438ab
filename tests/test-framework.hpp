// One include for Catch2 v3 (catch2/catch_all.hpp) or v2 (catch2/catch.hpp, Debian 12), chosen by CMake.
#pragma once

#if SEEDANCE_CATCH2_MAJOR >= 3
#include <catch2/catch_all.hpp>
#else
#include <catch2/catch.hpp>
#endif
