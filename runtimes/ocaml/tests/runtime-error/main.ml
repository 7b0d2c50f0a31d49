exception Division_by_zero_attempted of int

let checked_divide a b =
  if b = 0 then raise (Division_by_zero_attempted a) else a / b

let () =
  print_endline "before";
  print_int (checked_divide 1 0)
