source("geometry/shapes.R")

cat(area(3, 4), "\n", sep = "")
