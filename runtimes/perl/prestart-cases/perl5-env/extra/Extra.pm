package Extra; sub hi { "extra " . __FILE__ } 1;
