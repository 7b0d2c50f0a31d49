program Args;

var
  I: Integer;

begin
  Write(ParamCount);
  for I := 1 to ParamCount do
    Write(' ', ParamStr(I));
  WriteLn;
end.
