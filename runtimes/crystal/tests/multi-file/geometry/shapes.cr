module Geometry::Shapes
  def self.area(w : Int32, h : Int32) : Int32
    w * h
  end
end
