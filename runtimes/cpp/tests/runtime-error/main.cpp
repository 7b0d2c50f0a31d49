#include <iostream>
#include <stdexcept>
#include <vector>

int main() {
    std::vector<int> v{1, 2, 3};
    std::cout << "before" << std::endl;
    return v.at(10);
}
