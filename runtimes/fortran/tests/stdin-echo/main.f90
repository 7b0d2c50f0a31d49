program echo
  implicit none
  character(len=1024) :: line
  integer :: ios, n

  do
    read (*, '(a)', advance='no', size=n, iostat=ios) line
    if (is_iostat_end(ios)) exit
    write (*, '(a)') line(1:n)
  end do
end program echo
