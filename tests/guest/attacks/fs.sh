# Guest cases of the attack suite's fs attacks (apps/attack/fs.c),
# sourced by tests/guest/cases.sh once per platform ($platform).
