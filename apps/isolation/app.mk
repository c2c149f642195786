# isolation: the compartment isolation matrix (docs/compartments.md); exits 1 on any surprise.
APP_LIBS := compart
APP_POLICY := split
