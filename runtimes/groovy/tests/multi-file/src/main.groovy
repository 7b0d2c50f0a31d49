import geometry.Shapes

println Shapes.area(3, 4)
