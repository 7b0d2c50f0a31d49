f = File.open(__FILE__)
p f.fileno
g = File.open(__FILE__)
p g.fileno
p Dir.children("/proc/self/fd").map(&:to_i).sort.size
f.close
p File.open(__FILE__).fileno
