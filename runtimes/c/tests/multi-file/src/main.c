#include <stdio.h>
#include "shapes.h"

int main(void) {
    printf("%d\n", area(3, 4));
    return 0;
}
