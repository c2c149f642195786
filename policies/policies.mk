# Compartment policies: every policies/NAME.c but the registry is the policy
# NAME (docs/policies.md).  All are linked into every image; the image names
# the one it runs: POLICY= on the command line, else the application's
# APP_POLICY (apps/apps.mk), else flat.  Included after apps/apps.mk.
POLICY_REGISTRY := policies/registry.c
POLICIES        := $(sort $(basename $(notdir $(filter-out $(POLICY_REGISTRY),$(wildcard policies/*.c)))))
POLICY_SRCS     := $(POLICY_REGISTRY) $(patsubst %,policies/%.c,$(POLICIES))

POLICY ?= $(or $(APP_POLICY),flat)
ifneq ($(words $(POLICY))$(filter $(POLICY),$(POLICIES)),1$(POLICY))
  $(error unknown POLICY '$(POLICY)'; choose one of: $(POLICIES) (each is policies/NAME.c))
endif

# A policy's one-line summary for `make help`: its .summary string, read from
# its source (sed -n "$(POLICY_SUMMARY_SED)" policies/NAME.c), never compiled.
POLICY_SUMMARY_SED := s/^[[:space:]]*\.summary = "\(.*\)",$$/\1/p
