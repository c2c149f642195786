# filetest: files in /tmp and the working directory, the image's tree from root/,
# /dev/null and /dev/urandom, dup and pipes, statx, mmap of files; prints
# "filetest: all ok", exits 0.
APP_ARGS :=
