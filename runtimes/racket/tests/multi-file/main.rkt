#lang racket/base

(require "geometry/shapes.rkt")

(displayln (area 3 4))
