/* The embedded data sets: bytes of files under datasets/, linked into the
   binary so that --data digits, --data iris and --data fashion-small work
   from any folder. Each
   comes with its size as a 64-bit constant, computed here by the assembler
   (C may not subtract pointers to two different objects). */
    .section .rodata
    .balign 16
    .global ts_embedded_digits_csv_gz
ts_embedded_digits_csv_gz:
    .incbin "datasets/digits.csv.gz"
ts_embedded_digits_csv_gz_end:
    .balign 16
    .global ts_embedded_iris_csv
ts_embedded_iris_csv:
    .incbin "datasets/iris.csv"
ts_embedded_iris_csv_end:
    .balign 16
    .global ts_embedded_fashion_small_idx_gz
ts_embedded_fashion_small_idx_gz:
    .incbin "datasets/fashion-small.idx.gz"
ts_embedded_fashion_small_idx_gz_end:
    .balign 8
    .global ts_embedded_digits_csv_gz_size
ts_embedded_digits_csv_gz_size:
    .quad ts_embedded_digits_csv_gz_end - ts_embedded_digits_csv_gz
    .global ts_embedded_iris_csv_size
ts_embedded_iris_csv_size:
    .quad ts_embedded_iris_csv_end - ts_embedded_iris_csv
    .global ts_embedded_fashion_small_idx_gz_size
ts_embedded_fashion_small_idx_gz_size:
    .quad ts_embedded_fashion_small_idx_gz_end - ts_embedded_fashion_small_idx_gz
    .section .note.GNU-stack,"",@progbits
