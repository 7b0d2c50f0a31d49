(defpackage :geometry
  (:use :common-lisp)
  (:export #:area))

(in-package :geometry)

(defun area (w h)
  (* w h))
