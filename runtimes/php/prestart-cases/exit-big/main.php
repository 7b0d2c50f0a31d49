<?php
exit(300);
