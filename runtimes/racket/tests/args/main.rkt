#lang racket/base

(define args (vector->list (current-command-line-arguments)))
(display (length args))
(for ([a args])
  (display " ")
  (display a))
(newline)
