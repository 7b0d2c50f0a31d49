(define-module (geometry shapes)
  #:export (area))

(define (area w h)
  (* w h))
