p $0, $PROGRAM_NAME, __FILE__, __dir__, Process.argv0
p ARGV, ARGV.map(&:encoding).uniq, ARGV.all?(&:frozen?)
p $0.encoding, $0.frozen?, __FILE__.frozen?
p __method__, self, self.class
