:- initialization(main, main).
:- use_module(geometry/shapes).

main :-
    area(3, 4, A),
    format("~d~n", [A]).
