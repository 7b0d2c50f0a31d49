<?php
function parse(string $text): int {
    if (!ctype_digit($text)) {
        throw new RuntimeException("bad value $text");
    }
    return (int)$text;
}
function run() { return parse("abc"); }
echo "start\n";
run();
