#lang racket/base

(define (checked-divide a b)
  (if (zero? b)
      (error 'checked-divide "division by zero attempted: ~a" a)
      (/ a b)))

(displayln "before")
(flush-output)
(displayln (checked-divide 1 0))
