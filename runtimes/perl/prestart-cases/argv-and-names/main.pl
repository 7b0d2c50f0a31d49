print "0=$0 file=", __FILE__, " line=", __LINE__, " pkg=", __PACKAGE__, "\n";
print scalar(@ARGV), ":", join("|", @ARGV), "\n";
print "caller=", (defined caller() ? "yes" : "none"), "\n";
