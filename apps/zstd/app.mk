# zstd: the unmodified Zstandard command-line program, built with
# multi-threading from Debian's libzstd source (apps/zstd/build.sh).  Its
# benchmark mode (-b1) compresses 10 MB of generated data at level 1 with 4
# worker threads (-T4), decompresses it and checks the result against the
# original (tests/guest/cases.sh says how the test sees that).
APP_ARGS := -T4 -b1 -i1
APP_BUILD := apps/zstd/build.sh
