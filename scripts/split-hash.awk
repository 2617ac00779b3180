# Keep the lines whose first field hashes to parity `want' (see split-labelled.sh).
BEGIN { for (i = 1; i < 256; i++) ord[sprintf("%c", i)] = i }
{
	h = 0
	n = length($1)
	for (i = 1; i <= n; i++)
		h = (h * 31 + ord[substr($1, i, 1)]) % 1000003
	if (h % 2 == want)
		print
}
