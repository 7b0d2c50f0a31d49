def inner = caller
def outer = inner
puts outer
p caller, caller_locations(0).map(&:label)
def loc = caller_locations(0).map { |l| [l.path, l.absolute_path, l.lineno, l.label] }
p loc
require_relative "lib"
p Lib.trace
