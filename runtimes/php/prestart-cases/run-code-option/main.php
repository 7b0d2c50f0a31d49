<?php echo "unused\n";
