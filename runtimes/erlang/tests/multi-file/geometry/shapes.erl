-module(shapes).
-export([area/2]).

area(W, H) ->
    W * H.
