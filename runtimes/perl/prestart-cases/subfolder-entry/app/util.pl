sub util { "util " . __FILE__ }
1;
