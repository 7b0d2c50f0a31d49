p $LOAD_PATH
p $LOAD_PATH.include?(__dir__), $LOAD_PATH.include?(".")
begin
  require "util"
rescue LoadError => e
  puts "LoadError: #{e.message}"
end
require "./util"
load "util.rb"
p Util::N
