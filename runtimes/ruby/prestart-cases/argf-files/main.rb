while (line = gets)
  puts "#{ARGF.filename}:#{$.}: #{line}"
end
p ARGV
