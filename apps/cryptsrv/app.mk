# cryptsrv: an encryption server in three compartments (parser, vault, server loop); ARGS: [--compromised] seal:TEXT|open:HEX...
APP_LIBS := compart
APP_POLICY := vault
APP_ARGS := --compromised seal:attack_at_dawn seal:hello
