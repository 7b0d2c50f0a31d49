; rectangle_area(rdi = width, rsi = height) -> rax
        global  rectangle_area

        section .text
rectangle_area:
        mov     rax, rdi
        imul    rax, rsi
        ret
