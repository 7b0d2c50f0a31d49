#include <stdio.h>

int main(void) {
    int *p = NULL;
    printf("before\n");
    fflush(stdout);
    return *p;
}
