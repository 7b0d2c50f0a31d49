print "Name? "
name = gets.chomp
print "Age? "
age = Integer($stdin.gets)
puts "Hello #{name}, next year #{age + 1}"
p $stdin.read, gets, $stdin.eof?
