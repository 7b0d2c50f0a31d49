<?php
echo "héllo wörld ✓ 日本\n", strlen("日本"), "\n";
