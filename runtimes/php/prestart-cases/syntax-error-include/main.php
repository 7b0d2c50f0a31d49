<?php
echo "before\n";
require __DIR__ . "/bad.php";
