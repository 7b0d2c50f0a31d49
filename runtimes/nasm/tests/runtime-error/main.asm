; Prints a line, then reads from address 0: the kernel kills the process with SIGSEGV.
        global  _start

        section .rodata
message: db      "before", 10
length:  equ     $ - message

        section .text
_start:
        mov     eax, 1                  ; write(1, message, length)
        mov     edi, 1
        lea     rsi, [rel message]
        mov     edx, length
        syscall
        xor     ebx, ebx
        mov     rax, [rbx]              ; null pointer dereference
        mov     eax, 60                 ; never reached: exit(0)
        xor     edi, edi
        syscall
