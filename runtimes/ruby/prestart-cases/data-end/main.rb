puts DATA.read.upcase
p DATA.path, __FILE__
__END__
line one
line two
