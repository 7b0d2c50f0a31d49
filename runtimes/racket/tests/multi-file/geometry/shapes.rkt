#lang racket/base

(provide area)

(define (area w h)
  (* w h))
