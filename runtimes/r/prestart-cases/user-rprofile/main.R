cat("main runs; from profile:", exists("from_profile"), "\n")
cat("R temp dirs in /tmp:", length(list.files("/tmp", pattern = "^Rtmp")), "\n")
