module Util; end
Util.send(:remove_const, :N) if defined?(Util::N)
Util::N = 3
puts "util loaded"
