program Failing;

var
  Zero, Result: Integer;

begin
  WriteLn('before');
  Zero := ParamCount;
  Result := 10 div Zero;
  WriteLn(Result);
end.
