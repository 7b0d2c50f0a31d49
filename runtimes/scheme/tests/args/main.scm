(let ((args (cdr (command-line))))
  (display (length args))
  (for-each (lambda (a) (display " ") (display a)) args)
  (newline))
