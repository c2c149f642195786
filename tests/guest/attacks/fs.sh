# Guest cases of the attack suite's fs attacks (apps/attack/fs.c),
# sourced by tests/guest/cases.sh once per platform ($platform).

# Issue 9, item 4: the use-after-free through a removed working directory's "..",
# and every other way a node loses its name while held (apps/attack/fs.c).
guest attack-fs-removed-cwd "$platform" attack "fs-removed-cwd /tmp" "" 0 - \
	"attack: stat(\"..\"): the removed parent, a directory without links: ok" \
	"attack fs-removed-cwd: held"
guest attack-fs-held-nodes "$platform" attack "fs-held-nodes /tmp" "" 0 - \
	"attack: rename e into e/f/g/h: ok" "attack: read an O_PATH descriptor: ok" \
	"attack fs-held-nodes: held"
# Item 7: file data counts against the commit limit; the charged mapping still works.
GUEST_MEM=128M guest attack-fs-file-commit "$platform" attack "fs-file-commit /tmp" "" 0 - \
	"attack: writing past the limit: ok" "attack: the mapping is all there: ok" \
	"attack fs-file-commit: held"
# Item 8: sparse files up to the largest offset.
guest attack-fs-sparse "$platform" attack "fs-sparse /tmp" "" 0 - \
	"attack: ftruncate to 1 TiB: ok" "attack: pwrite ending at INT64_MAX: ok" \
	"attack fs-sparse: held"
# Item 11: getcwd and lseek errors as Linux's.
guest attack-fs-errno "$platform" attack "fs-errno /tmp" "" 0 - \
	"attack: getcwd of a 6 KiB path: ok" "attack: lseek past it: ok" "attack fs-errno: held"
