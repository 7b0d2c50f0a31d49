def parse(text)
  raise "cannot parse #{text.inspect}"
end

def run
  parse("abc")
end

puts "start"
$stdout.flush
run
