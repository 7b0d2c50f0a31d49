program main
  use shapes, only: rectangle, area
  implicit none
  type(rectangle) :: r

  r = rectangle(3, 4)
  print '(i0)', area(r)
end program main
