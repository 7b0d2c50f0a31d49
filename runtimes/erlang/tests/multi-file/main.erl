-module(main).
-export([main/1]).

main(_Args) ->
    io:format("~b~n", [shapes:area(3, 4)]).
