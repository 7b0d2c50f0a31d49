$| = 1;
print "about to die\n";
kill "TERM", $$;
sleep 5;
print "survived\n";
