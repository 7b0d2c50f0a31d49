<?php
fclose(STDOUT);
echo "lost?\n";
fwrite(STDERR, "still here\n");
