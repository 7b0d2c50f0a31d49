using System;

class Program
{
    static void Main()
    {
        int[] items = new int[0];
        Console.WriteLine("before");
        Console.WriteLine(items[3]);
    }
}
