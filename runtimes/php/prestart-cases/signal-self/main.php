<?php
echo "about to die\n";
posix_kill(getmypid(), SIGTERM);
sleep(5);
echo "not here\n";
