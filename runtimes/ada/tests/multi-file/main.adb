with Ada.Text_IO;
with Geometry.Shapes; use Geometry.Shapes;

procedure Main is
   R : constant Rectangle := (Width => 3, Height => 4);
   Text : constant String := Integer'Image (Area (R));
begin
   Ada.Text_IO.Put_Line (Text (Text'First + 1 .. Text'Last));
end Main;
