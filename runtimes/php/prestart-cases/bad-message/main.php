<?php echo "x\n";
