program Broken;

var
  Count: Integer;

begin
  Count := 'three';
  WriteLn(Count);
end.
