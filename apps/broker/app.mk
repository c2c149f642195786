# broker: client-donated memory with a pre-revocation notice (seeds/003's memory broker); exits 1 on a surprise.
APP_LIBS := compart
APP_POLICY := broker
