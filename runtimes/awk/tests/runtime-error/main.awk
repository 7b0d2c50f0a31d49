{ print "before"; print 1 / (NF - 1) }
