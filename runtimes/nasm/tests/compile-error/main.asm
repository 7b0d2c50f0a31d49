        global  _start

        section .text
_start:
        mov     eax, exit_code
        mov     edi, eax
        mov     eax, 60
        syscall
