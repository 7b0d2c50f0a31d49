total = 3
puts totl + 1
