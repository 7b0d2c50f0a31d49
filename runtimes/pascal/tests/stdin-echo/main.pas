program Echo;

var
  Line: AnsiString;

begin
  while not Eof(Input) do
  begin
    ReadLn(Line);
    WriteLn(Line);
  end;
end.
