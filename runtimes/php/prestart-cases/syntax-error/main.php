<?php
echo "never";
echo "a" oops;
