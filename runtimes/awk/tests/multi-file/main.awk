@include "lib/shapes.awk"

BEGIN { print area(3, 4) }
