# Guest cases of the attack suite's cells attacks (apps/attack/cells.c),
# sourced by tests/guest/cases.sh once per platform ($platform).
