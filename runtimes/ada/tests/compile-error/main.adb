with Ada.Text_IO;

procedure Main is
   Count : Integer := "three";
begin
   Ada.Text_IO.Put_Line (Integer'Image (Count));
end Main;
