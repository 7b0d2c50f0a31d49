; Calls rectangle_area from geometry/shapes.asm and prints the result.
        global  _start
        extern  rectangle_area
        %include "geometry/syscalls.inc"

        section .bss
digits: resb    24

        section .text
_start:
        mov     edi, 3
        mov     esi, 4
        call    rectangle_area          ; rax = 12
        lea     rsi, [rel digits + 23]
        mov     byte [rsi], 10
        mov     ecx, 10
.digit:
        xor     edx, edx
        div     rcx
        add     dl, '0'
        dec     rsi
        mov     [rsi], dl
        test    rax, rax
        jnz     .digit
        lea     rdx, [rel digits + 24]
        sub     rdx, rsi
        mov     eax, SYS_WRITE
        mov     edi, 1
        syscall
        mov     eax, SYS_EXIT
        xor     edi, edi
        syscall
