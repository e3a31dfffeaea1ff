/* The embedded lessons: the files under lessons/, linked into the binary so
   that --lesson NAME works from any folder (src/core/lesson.c names them).
   Each comes with its size as a 64-bit constant, as in src/data/embedded.S. */
    .section .rodata
    .balign 16
    .global ts_embedded_lesson_1
ts_embedded_lesson_1:
    .incbin "lessons/1-question.lesson"
ts_embedded_lesson_1_end:
    .balign 8
    .global ts_embedded_lesson_1_size
ts_embedded_lesson_1_size:
    .quad ts_embedded_lesson_1_end - ts_embedded_lesson_1
    .balign 16
    .global ts_embedded_lesson_2
ts_embedded_lesson_2:
    .incbin "lessons/2-collapse.lesson"
ts_embedded_lesson_2_end:
    .balign 8
    .global ts_embedded_lesson_2_size
ts_embedded_lesson_2_size:
    .quad ts_embedded_lesson_2_end - ts_embedded_lesson_2
    .balign 16
    .global ts_embedded_lesson_3
ts_embedded_lesson_3:
    .incbin "lessons/3-small-batches.lesson"
ts_embedded_lesson_3_end:
    .balign 8
    .global ts_embedded_lesson_3_size
ts_embedded_lesson_3_size:
    .quad ts_embedded_lesson_3_end - ts_embedded_lesson_3
    .balign 16
    .global ts_embedded_lesson_4
ts_embedded_lesson_4:
    .incbin "lessons/4-nothing-to-learn.lesson"
ts_embedded_lesson_4_end:
    .balign 8
    .global ts_embedded_lesson_4_size
ts_embedded_lesson_4_size:
    .quad ts_embedded_lesson_4_end - ts_embedded_lesson_4
    .balign 16
    .global ts_embedded_lesson_5
ts_embedded_lesson_5:
    .incbin "lessons/5-healthy.lesson"
ts_embedded_lesson_5_end:
    .balign 8
    .global ts_embedded_lesson_5_size
ts_embedded_lesson_5_size:
    .quad ts_embedded_lesson_5_end - ts_embedded_lesson_5
    .balign 16
    .global ts_embedded_lesson_6
ts_embedded_lesson_6:
    .incbin "lessons/6-blows-up.lesson"
ts_embedded_lesson_6_end:
    .balign 8
    .global ts_embedded_lesson_6_size
ts_embedded_lesson_6_size:
    .quad ts_embedded_lesson_6_end - ts_embedded_lesson_6
    .balign 16
    .global ts_embedded_lesson_7
ts_embedded_lesson_7:
    .incbin "lessons/7-offline.lesson"
ts_embedded_lesson_7_end:
    .balign 8
    .global ts_embedded_lesson_7_size
ts_embedded_lesson_7_size:
    .quad ts_embedded_lesson_7_end - ts_embedded_lesson_7
    .balign 16
    .global ts_embedded_lesson_8
ts_embedded_lesson_8:
    .incbin "lessons/8-keras-distance.lesson"
ts_embedded_lesson_8_end:
    .balign 8
    .global ts_embedded_lesson_8_size
ts_embedded_lesson_8_size:
    .quad ts_embedded_lesson_8_end - ts_embedded_lesson_8
    .section .note.GNU-stack,"",@progbits
