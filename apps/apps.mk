# Applications: each folder under apps/ is one; its app.mk may set APP_ARGS.
APPS     := $(notdir $(patsubst %/,%,$(dir $(wildcard apps/*/app.mk))))
APP_NAME := $(APP)
APP_ELF  := $(BUILD)/$(APP).elf
APP_ARGS :=
-include apps/$(APP)/app.mk
ARGS     ?= $(APP_ARGS)

LINUX_CC     := riscv64-linux-gnu-gcc
LINUX_CFLAGS := -static -O2 -g -Wall -Wextra -Werror

$(APP_ELF): $(wildcard apps/$(APP)/*.c apps/$(APP)/*.h)
	@mkdir -p $(@D)
	$(LINUX_CC) $(LINUX_CFLAGS) $(filter %.c,$^) -o $@
