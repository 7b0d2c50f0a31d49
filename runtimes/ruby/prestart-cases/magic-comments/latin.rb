# encoding: iso-8859-1
p __ENCODING__, "\xE9".encoding
