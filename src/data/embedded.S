/* The embedded data sets: bytes of files under datasets/, linked into the
   binary so that --data digits and --data iris work from any folder. */
    .section .rodata
    .balign 16
    .global ts_embedded_digits_csv_gz
    .global ts_embedded_digits_csv_gz_end
ts_embedded_digits_csv_gz:
    .incbin "datasets/digits.csv.gz"
ts_embedded_digits_csv_gz_end:
    .balign 16
    .global ts_embedded_iris_csv
    .global ts_embedded_iris_csv_end
ts_embedded_iris_csv:
    .incbin "datasets/iris.csv"
ts_embedded_iris_csv_end:
    .section .note.GNU-stack,"",@progbits
