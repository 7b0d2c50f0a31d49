program Main;

uses
  Shapes;

var
  R: TRectangle;

begin
  R.Width := 3;
  R.Height := 4;
  WriteLn(Area(R));
end.
