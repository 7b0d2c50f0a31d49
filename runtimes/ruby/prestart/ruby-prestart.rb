# The placeholder script of the pre-started ruby (README.md beside this file): the launcher starts as
# `ruby THIS_FILE`, so that everything a plain `ruby ENTRY` start does before it parses the entry is done ahead;
# this file is then parsed, and never run.
