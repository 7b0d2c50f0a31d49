use POSIX qw(sigaction SIG_DFL SIG_IGN);
my @odd;
for my $n (1 .. 31) {
  next if $n == 9 || $n == 19;
  my $old = POSIX::SigAction->new;
  sigaction($n, undef, $old) or next;
  my $h = $old->{HANDLER};
  push @odd, "$n=$h" unless $h eq 'DEFAULT';
}
my $mask = POSIX::SigSet->new;
POSIX::sigprocmask(0, undef, $mask);
my @blocked = grep { $mask->ismember($_) } 1 .. 64;
print "not default: @odd\nblocked: @blocked\n";
