# Compartments (docs/compartments.md), sourced by tests/guest/cases.sh once per platform.
# Each app checks itself and prints what it found; the same output on both platforms.

# The isolation matrix: every forbidden access faults and is contained, every allowed one works.
GUEST_POLICY=split guest isolation-split "$platform" isolation "" "" 0 - \
	"isolation: policy split, 4 compartments" "alpha -> beta read               read" \
	"beta reads it back               ok" "alpha grants beta's page: -13" "isolation: 0 surprises"
GUEST_POLICY=lease guest isolation-lease "$platform" isolation "" "" 0 - \
	"isolation: policy lease, 4 compartments" "alpha reads it after the lease   expired" \
	"isolation: 0 surprises" "compart: grant 64 from beta to alpha expired"
GUEST_POLICY=vault guest isolation-vault "$platform" isolation "" "" 0 - "isolation: 0 surprises"

# The encryption server: a compromised parser reads the key and jumps into the vault past its
# entry point; each attempt is contained; under vault the key is never granted.
guest cryptsrv-vault "$platform" cryptsrv "--compromised seal:attack_at_dawn seal:hello" "" 0 - \
	"cryptsrv: seal -> c273a29d2eb67d6ae8fb91ed2a86" \
	"cryptsrv: parser tries to read the key: fault read, contained" \
	"cryptsrv: parser tries to jump into the vault: fault entry, contained" \
	"cryptsrv: parser asks the vault to export the key: refused" \
	"compart: policy vault refused a grant from vault to parser" "cryptsrv: done"
GUEST_POLICY=split guest cryptsrv-split "$platform" cryptsrv "--compromised seal:hello" "" 0 - \
	"cryptsrv: parser tries to read the key: fault read, contained" \
	"cryptsrv: parser asks the vault to export the key: granted" "cryptsrv: done"
# tripwire: the read of the key is a bug and is contained (fault 1), the jump past the vault's entry
# point is an attack and ends the program (exit 139, the app's own lines lost with it): under split
# the same run is contained twice and exits 0.
GUEST_POLICY=tripwire guest cryptsrv-tripwire "$platform" cryptsrv "--compromised seal:hello" "" 139 - \
	"compart: 3 compartments under policy tripwire (kept apart)" \
	"compart: contained: the call from main returns fault 1" \
	"compart: jump that is no entry point in compartment parser (1)" "stat:exit=139"
GUEST_POLICY=flat guest cryptsrv-flat "$platform" cryptsrv "seal:attack_at_dawn open:c273a29d2eb67d6ae8fb91ed2a86" "" 0 - \
	"compart: 3 compartments under policy flat (one view)" \
	"cryptsrv: seal -> c273a29d2eb67d6ae8fb91ed2a86" "cryptsrv: open -> attack_at_dawn" "cryptsrv: done"

# Client-donated memory: clean pages charged to the client, a notice, revocation on time.
guest broker "$platform" broker "" "" 0 - \
	"broker: the pages are revoked on time (within a tick of the deadline): yes" \
	"broker: the careless server's touch faults and is contained: yes" "broker: done"

# kv as a client and a store compartment: the same answers kept apart as together.
GUEST_POLICY=split guest kvsplit-split "$platform" kvsplit "20000 5000" "" 0 - "kvsplit: 20000 ops," ", ok"
GUEST_POLICY=flat guest kvsplit-flat "$platform" kvsplit "20000 5000" "" 0 - "kvsplit: 20000 ops," ", ok"

# The costs, and the example policy of docs/policies.md (grants cut to read only).
guest compbench "$platform" compbench "" "" 0 - "compbench: policy split" "bench: switch_instret="
GUEST_POLICY=example guest compbench-example "$platform" compbench "" "" 0 - "compbench: policy example"
