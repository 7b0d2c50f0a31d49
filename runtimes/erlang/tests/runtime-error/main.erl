-module(main).
-export([main/1]).

checked_divide(A, 0) ->
    erlang:error({division_by_zero_attempted, A});
checked_divide(A, B) ->
    A / B.

main(_Args) ->
    io:format("before~n"),
    io:format("~p~n", [checked_divide(1, 0)]).
