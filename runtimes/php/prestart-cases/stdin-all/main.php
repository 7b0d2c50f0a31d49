<?php
$all = file_get_contents("php://stdin");
var_dump($all, fscanf(STDIN, "%s"));
