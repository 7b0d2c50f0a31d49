import sys
for s in (sys.stdin, sys.stdout, sys.stderr):
    print(s.name, s.mode, s.encoding, s.errors, s.line_buffering, s.write_through, type(s.buffer).__name__, s.fileno())
print(sys.stdin is sys.__stdin__, sys.stdout is sys.__stdout__, sys.getfilesystemencoding(), sys.getdefaultencoding())
import locale
print(locale.getpreferredencoding(False), locale.setlocale(locale.LC_CTYPE))
