// The Catch2 runner shared by every kernel test binary (native and under Node).
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
