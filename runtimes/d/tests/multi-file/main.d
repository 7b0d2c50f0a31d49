import std.stdio;
import geometry.shapes;

void main()
{
    auto r = Rectangle(3, 4);
    writeln(r.area());
}
