; Hello world with Linux x86-64 system calls.
        global  _start

        section .rodata
message: db      "Hello, World!", 10
length:  equ     $ - message

        section .text
_start:
        mov     eax, 1                  ; write(1, message, length)
        mov     edi, 1
        lea     rsi, [rel message]
        mov     edx, length
        syscall
        mov     eax, 60                 ; exit(0)
        xor     edi, edi
        syscall
