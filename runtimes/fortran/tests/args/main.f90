program args
  implicit none
  character(len=256) :: arg
  character(len=1024) :: line
  integer :: i, n

  n = command_argument_count()
  write (line, '(i0)') n
  do i = 1, n
    call get_command_argument(i, arg)
    line = trim(line) // ' ' // trim(arg)
  end do
  print '(a)', trim(line)
end program args
