#include <iostream>
#include "shapes.hpp"

int main() {
    std::cout << geometry::area(3, 4) << '\n';
    return 0;
}
