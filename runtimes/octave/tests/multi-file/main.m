% +geometry is a package folder: its functions are called as geometry.NAME.
printf("%d\n", geometry.area(3, 4));
