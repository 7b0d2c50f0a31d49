program broken
  implicit none
  integer :: count

  count = 'three'
  print *, count
end program broken
