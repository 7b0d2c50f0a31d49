IO.stream(:stdio, :line)
|> Enum.each(&IO.write/1)
