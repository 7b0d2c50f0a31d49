puts "héllo wörld € 你好 💎"
line = $stdin.gets
puts "#{line.chomp}|#{line.chomp.length}|#{line.encoding}"
warn "ошибка ✓"
