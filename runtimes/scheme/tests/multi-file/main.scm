(use-modules (geometry shapes))

(display (area 3 4))
(newline)
