sub helper { return "helper at " . __FILE__ . ":" . __LINE__ }
1;
