<?php
echo shell_exec("env | sort; ls -l /proc/self/fd | wc -l");
system("exit 3", $rc); var_dump($rc);
passthru("echo passthru; echo err >&2");
