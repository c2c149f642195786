# Guest cases of the attack suite's memory attacks (apps/attack/memory.c),
# sourced by tests/guest/cases.sh once per platform ($platform).

# Issue 9, item 5: lengths and address sums that wrap.
guest attack-mem-mremap-wrap "$platform" attack "mem-mremap-wrap" "" 0 - \
	"attack: all 16 pages still mapped with their data: ok" "attack mem-mremap-wrap: held"
guest attack-mem-length-overflow "$platform" attack "mem-length-overflow" "" 0 - \
	"attack mem-length-overflow: held"
# Item 6: private memory over a backing reverts to it on MADV_DONTNEED.
guest attack-mem-dontneed-data "$platform" attack "mem-dontneed-data" "" 0 - \
	"attack: .data reads the image's bytes again (first word): ok" "attack mem-dontneed-data: held"
guest attack-mem-dontneed-file "$platform" attack "mem-dontneed-file" "" 0 - \
	"attack: it reads the file's bytes again, zeros past its end: ok" "attack mem-dontneed-file: held"
# Item 9: placement searches for a free range.
guest attack-mem-place-fixed "$platform" attack "mem-place-fixed" "" 0 - \
	"attack: mmap(NULL) of one page succeeds: ok" "attack mem-place-fixed: held"
guest attack-mem-place-huge "$platform" attack "mem-place-huge" "" 0 - \
	"attack: a second MAP_HUGETLB 2 MiB succeeds: ok" "attack mem-place-huge: held"
# Item 10: the image's pages are never writable; a store goes to a private copy.
guest attack-mem-text-write "$platform" attack "mem-text-write" "" 0 - \
	"attack: the page reads the image's byte again: the store never reached it: ok" \
	"attack mem-text-write: held"
# Item 11: Linux's error numbers.
guest attack-mem-errno "$platform" attack "mem-errno" "" 0 - \
	"attack: MAP_FIXED in the kernel half: ENOMEM: ok" "attack mem-errno: held"
