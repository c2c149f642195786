# Applications: each folder under apps/ is one.  Its app.mk may set APP_ARGS
# (default arguments) and APP_BUILD (a script that builds the ELF, for a
# program that is not just the folder's C files: apps/lua).
APPS      := $(notdir $(patsubst %/,%,$(dir $(wildcard apps/*/app.mk))))
APP_NAME  := $(APP)
APP_ELF   := $(BUILD)/$(APP).elf
APP_ARGS  :=
APP_BUILD :=
-include apps/$(APP)/app.mk
ARGS      ?= $(APP_ARGS)

LINUX_CC     := riscv64-linux-gnu-gcc
LINUX_CFLAGS := -static -O2 -g -Wall -Wextra -Werror

ifeq ($(APP_BUILD),)
$(APP_ELF): $(wildcard apps/$(APP)/*.c apps/$(APP)/*.h)
	@mkdir -p $(@D)
	$(LINUX_CC) $(LINUX_CFLAGS) $(filter %.c,$^) -o $@
else
$(APP_ELF): $(APP_BUILD)
	@mkdir -p $(@D)
	$(APP_BUILD) $@
endif
