(define (checked-divide a b)
  (if (zero? b)
      (error "division by zero attempted:" a)
      (/ a b)))

(display "before")
(newline)
(force-output)
(display (checked-divide 1 0))
