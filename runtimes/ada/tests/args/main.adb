with Ada.Command_Line; use Ada.Command_Line;
with Ada.Text_IO; use Ada.Text_IO;

procedure Main is
   Count : constant String := Integer'Image (Argument_Count);
begin
   Put (Count (Count'First + 1 .. Count'Last));
   for I in 1 .. Argument_Count loop
      Put (" " & Argument (I));
   end loop;
   New_Line;
end Main;
