part <- "part loaded"
