<?php
function util() { return "util:" . basename(__FILE__); }
