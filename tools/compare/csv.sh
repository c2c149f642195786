# Sourced by the scripts of make compare (and tests/run's check of it).
# csv_column FILE NAME: the number of the column NAME in FILE's header line, or nothing.
csv_column() {
	head -n 1 "$1" | tr ',' '\n' | grep -n -x "$2" | cut -d: -f1
}
