val area : int -> int -> int
