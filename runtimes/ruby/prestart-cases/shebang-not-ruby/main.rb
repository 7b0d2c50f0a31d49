#!/bin/sh
echo shell
#!ruby
puts "ruby part"
p __LINE__
