puts "before require"
$stdout.flush
require_relative "broken"
