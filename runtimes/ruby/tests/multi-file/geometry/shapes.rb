module Geometry
  def self.area(w, h)
    w * h
  end
end
