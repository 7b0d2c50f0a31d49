:- initialization(main, main).

main :-
    current_prolog_flag(argv, Args),
    length(Args, N),
    format("~d", [N]),
    forall(member(A, Args), format(" ~w", [A])),
    nl.
