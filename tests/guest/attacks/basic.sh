# Guest cases of the attack suite's basic attacks (apps/attack/basic.c),
# sourced by tests/guest/cases.sh once per platform ($platform).
