warn("not shown")
warn("@on")
warn("shown ", "twice")
