with Ada.Command_Line;
with Ada.Text_IO;

procedure Main is
   Items : constant array (1 .. 3) of Integer := (10, 20, 30);
   Index : constant Integer := Ada.Command_Line.Argument_Count + 4;
begin
   Ada.Text_IO.Put_Line ("before");
   Ada.Text_IO.Put_Line (Integer'Image (Items (Index)));
end Main;
