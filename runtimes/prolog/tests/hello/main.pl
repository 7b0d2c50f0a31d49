:- initialization(main, main).

main :-
    format("Hello, World!~n").
