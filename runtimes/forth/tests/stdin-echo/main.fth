\ KEY reads the program's stdin one character at a time and returns -1 at end of input.
: echo-input ( -- )
  begin key dup 0 >= while emit repeat drop ;
echo-input
