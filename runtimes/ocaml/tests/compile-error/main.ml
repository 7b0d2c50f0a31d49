let double x = x * 2

let () =
  print_endline (double 21)
