// One include for Catch2 v3 (catch2/catch_all.hpp) or v2 (catch2/catch.hpp, Debian 12), chosen by CMake.
#pragma once

#if SEEDANCE_CATCH2_MAJOR >= 3
#include <catch2/catch_all.hpp>
// Catch2 v2 has Approx in the global namespace (CATCH_CONFIG_ENABLE_APPROX); v3 only as Catch::Approx.
using Catch::Approx;
#else
#include <catch2/catch.hpp>
#endif
