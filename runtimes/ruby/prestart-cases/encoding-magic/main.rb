# -*- coding: iso-8859-1 -*-
p __ENCODING__
s = "café"
p s.bytesize, s.valid_encoding?
