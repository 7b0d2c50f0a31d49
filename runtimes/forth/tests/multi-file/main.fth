\ pForth announces every INCLUDE unless TRACE-INCLUDE is off; paths are relative to the project root.
0 trace-include !
include lib/shapes.fth
3 4 area 0 .r cr
