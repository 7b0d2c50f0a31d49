<?php echo "other\n";
