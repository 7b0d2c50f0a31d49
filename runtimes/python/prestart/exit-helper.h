/* exit-helper.c: the launcher's exit, not held up by the unmapping of its memory. */
#ifndef PRESTART_EXIT_HELPER_H
#define PRESTART_EXIT_HELPER_H

/* After Py_RunMain() returned, just before the launcher exits: a helper shares the memory, so the exit does not
 * wait for it to be unmapped. Returns in any case; the launcher then exits as it would have. */
void exit_without_unmapping(void);

#endif
