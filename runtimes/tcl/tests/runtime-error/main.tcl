proc divide {a b} {
    return [expr {$a / $b}]
}

puts "before"
puts [divide 1 0]
