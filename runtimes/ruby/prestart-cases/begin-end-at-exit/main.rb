puts "main 1"
END { puts "END block" }
at_exit { puts "at_exit 1" }
at_exit { puts "at_exit 2"; at_exit { puts "nested" } }
BEGIN { puts "BEGIN block" }
puts "main 2"
