source [file join [file dirname [info script]] lib shapes.tcl]

puts [area 3 4]
