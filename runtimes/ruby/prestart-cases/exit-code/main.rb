at_exit { puts "at_exit ran" }
puts "bye"
exit 7
puts "not reached"
