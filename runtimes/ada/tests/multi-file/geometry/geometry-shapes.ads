package Geometry.Shapes is
   type Rectangle is record
      Width, Height : Integer;
   end record;

   function Area (R : Rectangle) return Integer;
end Geometry.Shapes;
