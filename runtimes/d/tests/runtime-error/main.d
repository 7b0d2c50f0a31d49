import std.stdio;

void main(string[] args)
{
    int[] items;
    writeln("before");
    stdout.flush();
    writeln(items[args.length + 2]);
}
