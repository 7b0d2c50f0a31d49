# encoding: bogus-enc
puts 1
