puts "ok"
def broken(
  puts "unclosed"
