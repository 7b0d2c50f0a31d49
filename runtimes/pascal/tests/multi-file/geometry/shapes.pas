unit Shapes;

interface

type
  TRectangle = record
    Width, Height: Integer;
  end;

function Area(const R: TRectangle): Integer;

implementation

function Area(const R: TRectangle): Integer;
begin
  Area := R.Width * R.Height;
end;

end.
