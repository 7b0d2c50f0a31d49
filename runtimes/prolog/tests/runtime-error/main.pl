:- initialization(main, main).

checked_divide(A, B, C) :-
    (   B =:= 0
    ->  throw(error(evaluation_error(zero_divisor), context(checked_divide/3, _)))
    ;   C is A / B
    ).

main :-
    format("before~n"),
    flush_output,
    checked_divide(1, 0, X),
    format("~w~n", [X]).
