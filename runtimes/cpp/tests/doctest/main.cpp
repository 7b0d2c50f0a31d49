// A unit test with doctest, the header-only test framework the image carries.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

static int add(int a, int b) { return a + b; }

TEST_CASE("add") {
    CHECK(add(2, 3) == 5);
    CHECK(add(-1, 1) == 0);
}
