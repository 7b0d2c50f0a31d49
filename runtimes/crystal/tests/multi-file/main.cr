require "./geometry/shapes"

puts Geometry::Shapes.area(3, 4)
