open my $fh, "<", "/proc/self/cmdline" or die; local $/; my $c = <$fh>; $c =~ s/\0/ /g; print "$c\n", readlink("/proc/self/exe"), "\n";
