<?php
require __DIR__ . "/lib/shapes.php";

echo area(3, 4), "\n";
