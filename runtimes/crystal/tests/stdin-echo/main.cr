STDIN.each_line do |line|
  puts line
end
