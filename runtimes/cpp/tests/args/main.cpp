#include <iostream>
#include <span>
#include <string_view>

int main(int argc, char **argv) {
    std::span<char *> args(argv + 1, argc - 1);
    std::cout << args.size();
    for (std::string_view a : args)
        std::cout << ' ' << a;
    std::cout << '\n';
    return 0;
}
