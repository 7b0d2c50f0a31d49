def double(x : Int32) : Int32
  x * 2
end

puts double("twenty-one")
