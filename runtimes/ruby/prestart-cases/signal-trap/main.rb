Signal.trap("TERM") { puts "got TERM"; $stdout.flush }
Signal.trap("USR1") { |n| puts "got #{Signal.signame(n)}" }
Process.kill("TERM", Process.pid)
Process.kill("USR1", Process.pid)
sleep 0.2
p Signal.trap("INT", "DEFAULT"), Signal.trap("PIPE", "DEFAULT"), Signal.trap("HUP", "DEFAULT")
puts "done"
