(let ((args (rest sb-ext:*posix-argv*)))
  (format t "~D~{ ~A~}~%" (length args) args))
