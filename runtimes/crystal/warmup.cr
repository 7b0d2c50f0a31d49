# Compiled once at image build time to fill Crystal's object cache. The compile stage copies that cache to
# /tmp/crystal-cache, so codegen reuses the standard library's object files that a program shares with this one
# (most of them for a small program: a richer warm-up shifts type ids and reuses less).
puts "Hello, World!"
