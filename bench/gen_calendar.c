/*
 * gen_calendar: write an Inside Airbnb calendar.csv of Hawaii scale to
 * stdout, in the real format: 365 rows per listing from the scrape date,
 * prices "$215.00" and "$1,379.00" (quoted when they hold a comma),
 * adjusted_price equal to the price or empty, t/f availability, per-day
 * minimum and maximum nights (sometimes empty).  Deterministic.
 *
 *   gen_calendar [--listings N] [--days D] [--start YYYY-MM-DD]
 */
#include "value.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

static uint64_t state = 0x9E3779B97F4A7C15ULL;

static uint32_t rnd(void)
{
	/* xorshift64*: fast and good enough for synthetic data */
	state ^= state >> 12;
	state ^= state << 25;
	state ^= state >> 27;
	return (uint32_t)((state * 0x2545F4914F6CDD1DULL) >> 32);
}

static int money(char *buf, size_t size, long dollars)
{
	if (dollars >= 1000)
		return snprintf(buf, size, "\"$%ld,%03ld.00\"", dollars / 1000, dollars % 1000);
	return snprintf(buf, size, "$%ld.00", dollars);
}

int main(int argc, char **argv)
{
	long listings = 35000, days = 365;
	const char *start = "2024-09-13";
	struct value_date d0, d;
	int32_t day0;
	static char out[1 << 20];
	size_t used = 0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--listings") && i + 1 < argc) {
			listings = strtol(argv[++i], NULL, 10);
		} else if (!strcmp(argv[i], "--days") && i + 1 < argc) {
			days = strtol(argv[++i], NULL, 10);
		} else if (!strcmp(argv[i], "--start") && i + 1 < argc) {
			start = argv[++i];
		} else if (!strcmp(argv[i], "--help")) {
			printf("usage: gen_calendar [--listings N] [--days D] [--start YYYY-MM-DD]\n");
			return 0;
		} else if (!strcmp(argv[i], "--version")) {
			printf("gen_calendar (market-intelligence bench)\n");
			return 0;
		} else {
			fprintf(stderr, "gen_calendar: unknown argument '%s'\n", argv[i]);
			return 64;
		}
	}
	if (listings <= 0 || days <= 0 || value_date(start, strlen(start), &d0) != 1) {
		fprintf(stderr, "gen_calendar: bad --listings, --days or --start\n");
		return 64;
	}
	day0 = value_date_days(&d0);
	fputs("listing_id,date,available,price,adjusted_price,minimum_nights,maximum_nights\n",
	      stdout);
	for (long l = 0; l < listings; l++) {
		/* ids as Inside Airbnb has them: old short ones and 19-digit new ones */
		unsigned long long id = l % 3 ? 1000000ULL + (unsigned long long)l * 37
					      : 1279846646046615122ULL - (unsigned long long)l * 7919;
		long base = 80 + (long)(rnd() % 1400);
		int minn = 1 + (int)(rnd() % 30), adj = rnd() % 4 != 0;

		for (long k = 0; k < days; k++) {
			char date[16], p[32];
			long price = base + (long)(rnd() % 50) - 25 + (k % 7 >= 5 ? 40 : 0);

			value_date_from_days(day0 + (int32_t)k, &d);
			value_date_format(&d, date, sizeof(date));
			money(p, sizeof(p), price > 10 ? price : 10);
			if (used > sizeof(out) - 256) {
				if (fwrite(out, 1, used, stdout) != used)
					return 74;
				used = 0;
			}
			used += (size_t)snprintf(out + used, sizeof(out) - used, "%llu,%s,%c,%s,%s,",
						 id, date, rnd() % 3 ? 'f' : 't', p, adj ? p : "");
			if (rnd() % 50 == 0)
				used += (size_t)snprintf(out + used, sizeof(out) - used, ",\n");
			else
				used += (size_t)snprintf(out + used, sizeof(out) - used, "%d,%d\n",
							 minn, 1125);
		}
	}
	if (fwrite(out, 1, used, stdout) != used || fflush(stdout) != 0)
		return 74;
	return 0;
}
