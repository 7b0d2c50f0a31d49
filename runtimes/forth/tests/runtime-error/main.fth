: check-positive ( n -- n ) dup 0< abort" negative value" ;
." before" cr
-5 check-positive .
." not reached" cr
