args = System.argv()
IO.puts(Enum.join([length(args) | args], " "))
