# kvsplit: the kv workload split into a client and a store compartment; ARGS = operations keys (as kv).
APP_LIBS := compart
APP_POLICY := split
APP_ARGS := 200000 50000
