# frozen_string_literal: true
s = "abc"
p s.frozen?, __ENCODING__
begin
  s << "d"
rescue => e
  puts e.class, e.message
end
