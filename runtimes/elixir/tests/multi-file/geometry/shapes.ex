defmodule Geometry.Shapes do
  def area(w, h), do: w * h
end
