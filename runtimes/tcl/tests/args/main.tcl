puts [join [list $argc {*}$argv] " "]
