printf("before\n");
total = undefined_sum(1, 2);
printf("not reached\n");
