; Prints the argument count, then each argument, separated by spaces.
        global  _start

        section .bss
digits: resb    24

        section .rodata
space:   db     " "
newline: db     10

        section .text
_start:
        mov     r12, [rsp]              ; argc
        lea     r13, [rsp + 16]         ; &argv[1]
        lea     rdi, [r12 - 1]
        call    print_uint
        mov     r14, 1
.next:
        cmp     r14, r12
        jge     .end
        lea     rsi, [rel space]
        mov     edx, 1
        call    write_out
        mov     rsi, [r13]              ; argv[i] and its length
        mov     rdx, -1
.len:
        inc     rdx
        cmp     byte [rsi + rdx], 0
        jne     .len
        call    write_out
        add     r13, 8
        inc     r14
        jmp     .next
.end:
        lea     rsi, [rel newline]
        mov     edx, 1
        call    write_out
        mov     eax, 60                 ; exit(0)
        xor     edi, edi
        syscall

; write_out(rsi = bytes, rdx = length)
write_out:
        mov     eax, 1
        mov     edi, 1
        syscall
        ret

; print_uint(rdi = value): writes the value in decimal
print_uint:
        mov     rax, rdi
        lea     rsi, [rel digits + 24]
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
        jmp     write_out
