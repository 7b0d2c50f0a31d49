<?php
$a = readline("name? ");
$b = readline();
$c = readline();
var_dump($a, $b, $c);
