<?php
while (($line = fgets(STDIN)) !== false) {
    echo rtrim($line, "\n"), "\n";
}
