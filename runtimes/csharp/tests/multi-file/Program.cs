using System;
using Geometry;

class Program
{
    static void Main()
    {
        var r = new Rectangle(3, 4);
        Console.WriteLine(r.Area());
    }
}
