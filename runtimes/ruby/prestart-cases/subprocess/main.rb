system("ruby", "-e", "puts 'child ' + ARGV.inspect", "a")
p $?.exitstatus
puts `ruby -e 'print 2 + 2'`
pid = spawn("ruby", "-e", "exit 5")
Process.wait(pid)
p $?.exitstatus
