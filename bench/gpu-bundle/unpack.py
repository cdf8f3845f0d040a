#!/usr/bin/env python3
"""What run.sh unpacks where xz or dpkg-deb is missing, with Python's standard library.

  python3 unpack.py xz FILE.xz OUTFILE     decompress
  python3 unpack.py deb FILE.deb DIR       extract a Debian package's files (like dpkg-deb -x)
"""
import io
import lzma
import shutil
import sys
import tarfile


def unxz(src, dst):
    with lzma.open(src) as f, open(dst, "wb") as out:
        shutil.copyfileobj(f, out)


def undeb(src, dest):
    # A .deb is an ar archive: an 8-byte magic, then members with 60-byte headers, data padded to even.
    with open(src, "rb") as f:
        data = f.read()
    if data[:8] != b"!<arch>\n":
        sys.exit(f"{src}: not a Debian package")
    pos = 8
    while pos + 60 <= len(data):
        name = data[pos:pos + 16].decode().strip().rstrip("/")
        size = int(data[pos + 48:pos + 58].decode().strip())
        body = data[pos + 60:pos + 60 + size]
        if name.startswith("data.tar"):
            with tarfile.open(fileobj=io.BytesIO(body), mode="r:*") as tar:
                # 'data' refuses absolute paths and links out of dest (Python 3.12+; older ignore it).
                if hasattr(tarfile, "data_filter"):
                    tar.extractall(dest, filter="data")
                else:
                    tar.extractall(dest)
            return
        pos += 60 + size + (size & 1)
    sys.exit(f"{src}: no data.tar member")


if __name__ == "__main__":
    if len(sys.argv) != 4 or sys.argv[1] not in ("xz", "deb"):
        sys.exit(__doc__)
    (unxz if sys.argv[1] == "xz" else undeb)(sys.argv[2], sys.argv[3])
