/*
 * cryptsrv: an encryption server in three compartments, the scenario of
 * client-donated-memory work (seeds/003): the server loop (main), a request
 * parser that handles untrusted input, and a vault that holds the key and
 * is reachable only through its entry points.  The parser and the vault
 * see one mailbox page that main grants them; nothing else of each other.
 *
 *   cryptsrv [--compromised] REQUEST...     (REQUEST: "seal:TEXT" or "open:HEX")
 *
 * With --compromised the parser, once it has a request, also tries to read
 * the key, to jump into the vault past its entry point, and to ask the
 * vault to give the key away; each attempt must fault (or be refused) and
 * be contained, and the server goes on with the next request.  The output
 * is the same on both backends; the exit status is 1 when anything
 * happened that should not have.
 */
#include <stdio.h>
#include <string.h>

#include "compart.h"

#define COMPARTMENT_ID_main 0
#define COMPARTMENT_ID_parser 1
#define COMPARTMENT_ID_vault 2

COMPARTMENT_DEFINE(main, 0);
COMPARTMENT_DEFINE(parser, 0);
COMPARTMENT_DEFINE(vault, COMPART_SECRET);

#define PAGE 4096
#define TEXT_MAX 256

/* What main, the parser and the vault share: one page, granted by main. */
struct mailbox {
	char request[TEXT_MAX + 8]; /* main writes it: untrusted */
	int op;			    /* the parser's verdict: 1 seal, 2 open, 0 refused */
	unsigned len;
	unsigned char data[TEXT_MAX]; /* the parser's output, the vault's input */
	unsigned char out[TEXT_MAX];  /* the vault's output */
};
static COMPART_DATA(main) union {
	struct mailbox m;
	char page[PAGE];
} box __attribute__((aligned(PAGE)));

/* The key, and the vault's working memory: no one else ever sees a byte of either. */
static COMPART_DATA(vault) unsigned char key[32] __attribute__((aligned(PAGE))) = {
	0x3c, 0x91, 0x0e, 0x55, 0xa7, 0x12, 0xd8, 0x6b, 0x40, 0xfe, 0x23, 0x9a, 0x71, 0x05, 0xc4, 0x38,
	0xb2, 0x6d, 0x1f, 0xe9, 0x84, 0x57, 0x2a, 0xcd, 0x93, 0x0b, 0x76, 0xf1, 0x48, 0xbe, 0x65, 0x1d,
};
static COMPART_DATA(vault) unsigned char stream[TEXT_MAX];
static COMPART_DATA(parser) int compromised;

/*
 * A keyed stream (add-rotate-xor rounds over the key and a counter): a toy
 * for the demonstration, not a cipher to trust.  seal and open are the same
 * xor with it.
 */
COMPART_CODE(vault) static void vault_stream(unsigned len)
{
	unsigned long s0 = 0x6a09e667f3bcc908ul, s1 = 0xbb67ae8584caa73bul;
	for (unsigned i = 0; i < 32; i += 8) {
		unsigned long k = 0;
		for (unsigned j = 0; j < 8; j++)
			k |= (unsigned long)key[i + j] << (8 * j);
		s0 ^= k;
		s1 += (s0 << 13 | s0 >> 51) ^ k;
	}
	for (unsigned i = 0; i < len; i++) {
		s0 += s1;
		s1 = (s1 << 17 | s1 >> 47) ^ s0;
		s0 = (s0 << 29 | s0 >> 35) + i;
		stream[i] = (unsigned char)(s0 >> 24);
	}
}

/* Entry: xor the mailbox's data with the key stream into its out. */
COMPART_CODE(vault) long vault_crypt(long mailbox)
{
	struct mailbox *m = (struct mailbox *)mailbox;
	unsigned len = m->len;
	if (len > TEXT_MAX)
		return -1;
	vault_stream(len);
	for (unsigned i = 0; i < len; i++)
		m->out[i] = m->data[i] ^ stream[i];
	return len;
}
COMPARTMENT_ENTRY(vault, vault_crypt);

/* Entry: a careless API that would hand the key's page to the caller; the vault policy refuses it. */
COMPART_CODE(vault) long vault_export(long to)
{
	return compart_grant(key, PAGE, (unsigned)to, COMPART_R);
}
COMPARTMENT_ENTRY(vault, vault_export);

COMPART_CODE(parser) static int hex_digit(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* What a compromised parser tries: each attempt ends the parser's call with a contained fault. */
COMPART_CODE(parser) static long parser_attack(int which)
{
	if (which == 1)
		return key[0]; /* read the key */
	if (which == 2) {
		/* Switch into the vault past its landing pad: no entry point there. */
		extern char __compart_entry_vault_vault_crypt[] COMPART_LOCAL;
		register long a0 __asm__("a0") = (long)__compart_entry_vault_vault_crypt + 4;
		register long a1 __asm__("a1") = COMPARTMENT_ID_vault + 1;
		register long t0 __asm__("t0") = a0;
		register long t1 __asm__("t1") = COMPARTMENT_ID_vault;
		register long a7 __asm__("a7") = SYS_compart_call;
		if (*(volatile unsigned *)COMPART_INFO_VA == COMPART_METHOD_CELLS)
			__asm__ volatile(".word 0x00B5008B" : "+r"(a0) : "r"(a1) : "ra", "memory");
		else
			__asm__ volatile("ecall" : "+r"(a0) : "r"(t0), "r"(t1), "r"(a7) : "memory");
		return a0;
	}
	/* Ask the vault itself to give the key away. */
	struct compart_result r = COMPARTMENT_CALL(parser, vault, vault_export, COMPARTMENT_ID_parser);
	return r.value;
}

/* Entry: parse the mailbox's request into op, len and data; ATTACK > 0 on a compromised parser's turn. */
COMPART_CODE(parser) long parse_request(long mailbox, long attack)
{
	struct mailbox *m = (struct mailbox *)mailbox;
	const char *r = m->request;
	m->op = 0;
	m->len = 0;
	if (compromised && attack)
		return parser_attack((int)attack);
	if (r[0] == 's' && r[1] == 'e' && r[2] == 'a' && r[3] == 'l' && r[4] == ':') {
		unsigned n = 0;
		for (const char *p = r + 5; *p && n < TEXT_MAX; p++)
			m->data[n++] = (unsigned char)*p;
		m->op = 1;
		m->len = n;
	} else if (r[0] == 'o' && r[1] == 'p' && r[2] == 'e' && r[3] == 'n' && r[4] == ':') {
		unsigned n = 0;
		const char *p = r + 5;
		for (; p[0] && p[1] && n < TEXT_MAX; p += 2) {
			int hi = hex_digit(p[0]), lo = hex_digit(p[1]);
			if (hi < 0 || lo < 0)
				return -1;
			m->data[n++] = (unsigned char)(hi << 4 | lo);
		}
		if (*p)
			return -1;
		m->op = 2;
		m->len = n;
	}
	return m->op ? 0 : -1;
}
COMPARTMENT_ENTRY(parser, parse_request);

COMPART_CODE(parser) long parser_init(long bad)
{
	compromised = (int)bad;
	return 0;
}
COMPARTMENT_ENTRY(parser, parser_init);

static int trouble;

static const char *fault_name(long fault)
{
	static const char *const n[] = { "none", "read", "write", "exec", "entry", "revoked",
					 "expired", "instruction", "other" };
	return fault >= 0 && fault <= 8 ? n[fault] : "?";
}

/* The compromised parser's three attempts, each of which must come back contained or refused. */
static void attacks(const char *policy)
{
	static const char *const what[] = { "", "read the key", "jump into the vault", "export the key" };
	for (int a = 1; a <= 3; a++) {
		struct compart_result r = COMPARTMENT_CALL(main, parser, parse_request, (long)&box.m, a);
		int ok;
		if (strcmp(policy, "flat") == 0) {
			/* One view: nothing is kept apart, so there is nothing to judge. */
			printf("cryptsrv: parser tries to %s: %s (flat: no compartment is kept apart)\n",
			       what[a], r.fault ? fault_name(r.fault) : "not stopped");
			continue;
		}
		if (a < 3) {
			ok = r.fault == (a == 1 ? COMPART_FAULT_READ : COMPART_FAULT_BAD_ENTRY);
			printf("cryptsrv: parser tries to %s: fault %s, contained%s\n", what[a],
			       fault_name(r.fault), ok ? "" : "  <-- WRONG");
		} else {
			/* vault: the policy refuses the grant (-EPERM); split lets the vault give it. */
			int vault = strcmp(policy, "vault") == 0;
			ok = r.fault == 0 && (vault ? r.value == -1 : r.value >= 0);
			printf("cryptsrv: parser asks the vault to export the key: %s%s\n",
			       r.value < 0 ? "refused" : "granted", ok ? "" : "  <-- WRONG");
		}
		trouble += !ok;
	}
}

int main(int argc, char **argv)
{
	const struct compart_info *info = compart_info();
	int bad = argc > 1 && strcmp(argv[1], "--compromised") == 0;
	if (!info) {
		printf("cryptsrv: no compartments\n");
		return 1;
	}
	printf("cryptsrv: policy %s%s\n", info->policy, bad ? ", compromised parser" : "");
	/* The mailbox is the one page the parser and the vault may touch of main's. */
	long g1 = compart_grant(&box, PAGE, COMPARTMENT_ID_parser, COMPART_R | COMPART_W);
	long g2 = compart_grant(&box, PAGE, COMPARTMENT_ID_vault, COMPART_R | COMPART_W);
	if (g1 < 0 || g2 < 0) {
		printf("cryptsrv: mailbox grants refused (%ld, %ld)\n", g1, g2);
		return 1;
	}
	COMPARTMENT_CALL(main, parser, parser_init, bad);
	for (int i = 1 + bad; i < argc; i++) {
		strncpy(box.m.request, argv[i], TEXT_MAX);
		box.m.request[TEXT_MAX] = 0;
		struct compart_result p = COMPARTMENT_CALL(main, parser, parse_request, (long)&box.m, 0);
		if (p.fault || p.value < 0) {
			printf("cryptsrv: request %d refused by the parser\n", i - bad);
			continue;
		}
		struct compart_result v = COMPARTMENT_CALL(main, vault, vault_crypt, (long)&box.m);
		if (v.fault || v.value != (long)box.m.len) {
			printf("cryptsrv: request %d: vault fault %s\n", i - bad, fault_name(v.fault));
			trouble++;
			continue;
		}
		printf("cryptsrv: %s -> ", box.m.op == 1 ? "seal" : "open");
		for (unsigned k = 0; k < box.m.len; k++)
			if (box.m.op == 1)
				printf("%02x", box.m.out[k]);
			else
				putchar(box.m.out[k] >= 32 && box.m.out[k] < 127 ? box.m.out[k] : '.');
		putchar('\n');
		if (bad && i == 1 + bad)
			attacks(info->policy);
	}
	printf("cryptsrv: %s\n", trouble ? "something went wrong" : "done");
	return trouble ? 1 : 0;
}
