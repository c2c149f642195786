# pie: a static-PIE (ET_DYN, no interpreter) that relocates itself, as
# glibc's rcrt1.o would; Debian's riscv64 cross glibc ships no rcrt1.o, so
# this one brings its own start-up code and makes raw system calls.
APP_ARGS := relocated
APP_LINK := -static-pie -Wl,--no-dynamic-linker -nostdlib -fPIE -fvisibility=hidden \
            -ffreestanding -fno-stack-protector -fno-builtin
