q = Queue.new
t = Thread.new { 3.times { |i| q << i }; q << :done }
items = []
while (i = q.pop) != :done
  items << i
end
p items, t.join.status, Thread.list.size, Thread.main == Thread.current
t = Thread.new { Thread.current.report_on_exception = false; raise "in thread" }
begin
  t.join
rescue => e
  p e
end
Thread.new { sleep 0.05; puts "late thread" }
puts "main ends"
