package Geometry is
   pragma Pure;
end Geometry;
