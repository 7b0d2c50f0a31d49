<?php
exit("going away");
