p $stdout.sync, $stderr.sync, STDOUT.fileno
3.times do |i|
  puts "out #{i}"
  warn "err #{i}"
end
$stdout.print "partial-out "
$stdout.flush
$stderr.print "partial-err\n"
$stdout.sync = true
puts "synced"
warn "after"
