-module(main).
-export([main/1]).

main(Args) ->
    io:format("~s~n", [lists:join(" ", [integer_to_list(length(Args)) | Args])]).
