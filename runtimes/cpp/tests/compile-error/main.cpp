#include <iostream>

int main() {
    int count = "not a number";
    std::cout << count << '\n';
    return 0;
}
