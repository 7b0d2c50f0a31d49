<?php
// Here so that ./dir/../main.php resolves: git keeps no empty folder.
