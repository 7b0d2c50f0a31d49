<?php
function greet($w) { return "hi $w"; }
