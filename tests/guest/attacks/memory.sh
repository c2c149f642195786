# Guest cases of the attack suite's memory attacks (apps/attack/memory.c),
# sourced by tests/guest/cases.sh once per platform ($platform).
