import std.stdio;
import std.array : join;

void main(string[] args)
{
    writeln(args.length - 1, " ", args[1 .. $].join(" "));
}
