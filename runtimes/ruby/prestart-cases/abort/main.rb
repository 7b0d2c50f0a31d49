at_exit { puts "handler" }
abort "fatal: no input"
