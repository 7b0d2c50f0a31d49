while (<DATA>) { print "data: $_" }
print "line ", __LINE__, "\n";
__DATA__
first
second
