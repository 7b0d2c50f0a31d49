defmodule Calc do
  def checked_divide(_a, 0), do: raise(ArgumentError, "division by zero attempted")
  def checked_divide(a, b), do: a / b
end

IO.puts("before")
IO.puts(Calc.checked_divide(1, 0))
