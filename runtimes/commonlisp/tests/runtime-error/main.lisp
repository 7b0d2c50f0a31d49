(defun checked-divide (a b)
  (if (zerop b)
      (error "division by zero attempted: ~D" a)
      (/ a b)))

(format t "before~%")
(finish-output)
(print (checked-divide 1 0))
