# Compartments, the kernel's side (docs/compartments.md); the policies are policies/'s.
COMPART_SRCS := compart/image.c compart/load.c compart/switch.c compart/contain.c compart/grant.c
