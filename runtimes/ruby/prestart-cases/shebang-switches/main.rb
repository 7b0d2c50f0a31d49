#!/usr/bin/ruby -w
p $VERBOSE
x = 1
def m(a) = a
puts m(2)
