# attack: what a hostile program tries, each attack checking the Linux outcome (see main.c).
APP_ARGS := list
