puts [ARGV.size, *ARGV].join(" ")
