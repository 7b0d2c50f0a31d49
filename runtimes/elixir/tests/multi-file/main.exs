Code.require_file("geometry/shapes.ex", __DIR__)

IO.puts(Geometry.Shapes.area(3, 4))
