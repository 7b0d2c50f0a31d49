h = { name: nil }
puts h[:name].upcase
