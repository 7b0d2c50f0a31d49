module shapes
  implicit none
  private
  public :: rectangle, area

  type :: rectangle
    integer :: width, height
  end type rectangle

contains

  integer function area(r)
    type(rectangle), intent(in) :: r
    area = r%width * r%height
  end function area

end module shapes
