<?php
function area(int $w, int $h): int {
    return $w * $h;
}
