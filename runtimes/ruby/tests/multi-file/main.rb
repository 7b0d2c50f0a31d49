require_relative "geometry/shapes"

puts Geometry.area(3, 4)
