source "$(dirname "$0")/lib/shapes.sh"

area 3 4
