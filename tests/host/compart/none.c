/* A program without compartments. */
const char none_greeting[] = "no compartments here";

__attribute__((noreturn)) void _start(void)
{
	for (unsigned i = 0;; i++)
		__asm__ volatile("" ::"r"(none_greeting[i % sizeof(none_greeting)]));
}
