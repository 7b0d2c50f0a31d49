-module(main).
-export([main/1]).

main(_Args) ->
    echo(io:get_line("")).

echo(eof) ->
    ok;
echo(Line) ->
    io:put_chars(Line),
    echo(io:get_line("")).
