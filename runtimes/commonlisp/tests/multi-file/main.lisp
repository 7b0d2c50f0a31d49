(load (merge-pathnames "geometry/shapes.lisp" *load-truename*))

(format t "~D~%" (geometry:area 3 4))
