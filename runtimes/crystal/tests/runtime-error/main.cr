class DivisionByZeroAttempted < Exception
end

def checked_divide(a : Int32, b : Int32) : Int32
  raise DivisionByZeroAttempted.new("division by zero attempted: #{a}") if b == 0
  a // b
end

puts "before"
STDOUT.flush
puts checked_divide(1, 0)
