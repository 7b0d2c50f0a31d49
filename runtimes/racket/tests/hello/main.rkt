#lang racket/base

(displayln "Hello, World!")
