package body Geometry.Shapes is
   function Area (R : Rectangle) return Integer is
   begin
      return R.Width * R.Height;
   end Area;
end Geometry.Shapes;
