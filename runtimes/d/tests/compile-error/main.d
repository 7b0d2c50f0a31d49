import std.stdio;

void main()
{
    int count = "three";
    writeln(count);
}
