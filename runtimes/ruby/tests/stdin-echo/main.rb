$stdin.each_line do |line|
  puts line.chomp
end
