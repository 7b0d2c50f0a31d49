<?php
echo "bye\n";
exit(3);
