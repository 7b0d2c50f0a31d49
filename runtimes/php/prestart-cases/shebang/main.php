#!/usr/bin/env php
<?php
echo "line ", __LINE__, "\n";
