; Copies stdin to stdout until end of input.
        global  _start

        section .bss
buffer: resb    4096

        section .text
_start:
.loop:
        xor     eax, eax                ; read(0, buffer, 4096)
        xor     edi, edi
        lea     rsi, [rel buffer]
        mov     edx, 4096
        syscall
        test    rax, rax
        jle     .done                   ; 0 = end of input, negative = error
        mov     rdx, rax                ; write(1, buffer, n)
        mov     eax, 1
        mov     edi, 1
        lea     rsi, [rel buffer]
        syscall
        jmp     .loop
.done:
        mov     eax, 60                 ; exit(0)
        xor     edi, edi
        syscall
