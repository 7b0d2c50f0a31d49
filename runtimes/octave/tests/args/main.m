args = argv();
printf("%d", numel(args));
printf(" %s", args{:});
printf("\n");
