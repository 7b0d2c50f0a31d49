puts ([ARGV.size.to_s] + ARGV).join(" ")
