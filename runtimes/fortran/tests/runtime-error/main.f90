program failing
  implicit none
  integer :: n

  print '(a)', 'before'
  ! stdin is empty: the read fails with an end-of-file runtime error
  read (*, *) n
  print *, n
end program failing
