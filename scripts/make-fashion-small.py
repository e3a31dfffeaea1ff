#!/usr/bin/python3
"""scripts/make-fashion-small.py: regenerates datasets/fashion-small.idx.gz,
the small Fashion-MNIST subset built into tripletscope (--data fashion-small).

The rule, fixed so that anyone can regenerate the same bytes:
  * from the official training file, the first TRAIN_PER_CLASS images of
    each of the ten classes, in file order (the file is already shuffled);
  * from the official test file (t10k), the first TEST_PER_CLASS of each;
  * each half keeps the file order of the images it takes (no reordering).
The output is one gzip stream (level 9, no name, mtime 0) holding four IDX
files back to back, in the layout of the official ones: training images
(magic 0x00000803, N x 28 x 28 bytes), training labels (0x00000801, N
bytes), test images, test labels. The uncompressed bytes' SHA-256 is printed
(datasets/README.md records it).

    /usr/bin/python3 scripts/make-fashion-small.py            # the shipped file
    /usr/bin/python3 scripts/make-fashion-small.py --idx-dir DIR
        also writes the four files as the official names (gzip) into DIR,
        so that `tripletscope --data-dir DIR` reads the same subset

Options: --src DIR (the official .gz files; default Debian's
dataset-fashion-mnist, /usr/share/datasets/fashion-mnist), --train N and
--test N (per class; 1000 and 200 by default), --out FILE.
Needs numpy (python3-numpy).
"""
import argparse
import gzip
import hashlib
import os
import struct
import sys

import numpy as np

FILES = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
         "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")
TRAIN_PER_CLASS = 1000
TEST_PER_CLASS = 200


def read_idx(path, magic):
    with gzip.open(path, "rb") as f:
        data = f.read()
    got, = struct.unpack(">I", data[:4])
    if got != magic:
        sys.exit(f"{path}: magic 0x{got:08x}, expected 0x{magic:08x}")
    ndim = magic & 0xFF
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    body = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim)
    if body.size != int(np.prod(dims)):
        sys.exit(f"{path}: {body.size} bytes for a header of {dims}")
    return body.reshape(dims)


def idx_bytes(arr, magic):
    return struct.pack(">I" + "I" * arr.ndim, magic, *arr.shape) + arr.tobytes()


def take(images, labels, per_class, what):
    keep = []
    for c in range(10):
        idx = np.flatnonzero(labels == c)
        if idx.size < per_class:
            sys.exit(f"{what}: class {c} has {idx.size} images, fewer than {per_class}")
        keep.append(idx[:per_class])
    keep = np.sort(np.concatenate(keep))   # the file's order
    return images[keep], labels[keep]


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--src", default="/usr/share/datasets/fashion-mnist")
    ap.add_argument("--train", type=int, default=TRAIN_PER_CLASS, help="images a class, training")
    ap.add_argument("--test", type=int, default=TEST_PER_CLASS, help="images a class, test")
    ap.add_argument("--out", default=os.path.join(here, "..", "datasets", "fashion-small.idx.gz"))
    ap.add_argument("--idx-dir", help="also write the four official-named files here")
    a = ap.parse_args()

    paths = [os.path.join(a.src, f) for f in FILES]
    tr_x, tr_y = read_idx(paths[0], 0x803), read_idx(paths[1], 0x801)
    te_x, te_y = read_idx(paths[2], 0x803), read_idx(paths[3], 0x801)
    tr_x, tr_y = take(tr_x, tr_y, a.train, paths[1])
    te_x, te_y = take(te_x, te_y, a.test, paths[3])
    parts = [idx_bytes(tr_x, 0x803), idx_bytes(tr_y, 0x801),
             idx_bytes(te_x, 0x803), idx_bytes(te_y, 0x801)]
    raw = b"".join(parts)
    with open(a.out, "wb") as f:
        f.write(gzip.compress(raw, compresslevel=9, mtime=0))
    print(f"{a.out}: {len(tr_y)} training and {len(te_y)} test images, "
          f"{len(raw)} bytes, {os.path.getsize(a.out)} compressed, "
          f"sha256 of the uncompressed bytes {hashlib.sha256(raw).hexdigest()}")
    if a.idx_dir:
        os.makedirs(a.idx_dir, exist_ok=True)
        for name, part in zip(FILES, parts):
            with open(os.path.join(a.idx_dir, name), "wb") as f:
                f.write(gzip.compress(part, compresslevel=1, mtime=0))
        print(f"{a.idx_dir}: the four files")


if __name__ == "__main__":
    main()
