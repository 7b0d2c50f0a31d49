-module(main).
-export([main/1]).

main(_Args) ->
    io:format("~p~n", [undefined_helper(3)]).
