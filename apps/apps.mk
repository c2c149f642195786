# Applications: each folder under apps/ is one.  Its app.mk may set APP_ARGS
# (default arguments), APP_LINK (how to link, instead of -static: apps/pie),
# APP_POLICY (the compartment policy its image runs when POLICY= is not
# given; flat without it: policies/policies.mk) and APP_BUILD (a script
# that builds the ELF, for a program that is not just the folder's C and
# assembly files: apps/lua).  apps/include/ holds what several
# applications share (measure.h); it is not an application.
APPS      := $(notdir $(patsubst %/,%,$(dir $(wildcard apps/*/app.mk))))
APP_NAME  := $(APP)
APP_ELF   := $(BUILD)/$(APP).elf
APP_ARGS  :=
APP_BUILD :=
APP_LINK  := -static
APP_LIBS  :=
APP_POLICY :=
APP_ROOT  := $(or $(ROOT),apps/$(APP)/root)
ifeq ($(ELF),)
  -include apps/$(APP)/app.mk
else
  APP_ELF := $(ELF)
endif
ARGS      ?= $(APP_ARGS)
# An app that splits itself into compartments (APP_LIBS := compart) links
# libcompart/, the program's side of docs/compartments.md, after its own files.
APP_LIB_SRCS := $(if $(filter compart,$(APP_LIBS)),libcompart/compart.c)
APP_LIB_DEPS := $(if $(filter compart,$(APP_LIBS)),$(wildcard libcompart/*.c libcompart/*.h))

LINUX_CC     := riscv64-linux-gnu-gcc
LINUX_CFLAGS := -O2 -g -Wall -Wextra -Werror -Iapps/include

ifneq ($(ELF),)
# The caller's binary: nothing to build.
else ifeq ($(APP_BUILD),)
$(APP_ELF): $(wildcard apps/$(APP)/*.c apps/$(APP)/*.S apps/$(APP)/*.h apps/$(APP)/app.mk apps/include/*.h) $(APP_LIB_DEPS)
	@mkdir -p $(@D)
	$(LINUX_CC) $(APP_LINK) $(LINUX_CFLAGS) -Ilibcompart $(filter apps/%.c apps/%.S,$^) $(APP_LIB_SRCS) -o $@
else
$(APP_ELF): $(APP_BUILD)
	@mkdir -p $(@D)
	$(APP_BUILD) $@
endif
