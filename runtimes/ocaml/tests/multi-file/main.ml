let () = Printf.printf "%d\n" (Shapes.area 3 4)
