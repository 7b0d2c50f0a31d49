<?php
$args = array_slice($argv, 1);
echo count($args), " ", implode(" ", $args), "\n";
