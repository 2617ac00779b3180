/*
 * gen_hawaii: write Hawaii-scale entity files (the records.h COPY text format)
 * for the load benchmark and the matching statistics, deterministically from a
 * seed.
 *
 *   gen_hawaii [--seed N] [--scale F] [--snapshot YYYY-MM-DD] OUTDIR
 *
 * At scale 1: 500,000 parcels (properties.tsv), 20,000 sales (sales.tsv, some
 * deeds on several parcels), 35,000 listings (listings.tsv), 1,000,000 reviews
 * (reviews.tsv) and 365 calendar nights per listing for one snapshot
 * (pricing.tsv, 12,775,000 rows).  truth.txt holds the answer for every
 * listing: "listing_id<TAB>tmk<TAB>method", the method the loader should find
 * (tmk, tat_id, address, geo, or none with an empty tmk).
 *
 * Listings carry, by design: a TMK in the licence text (45 %), only a TAT id
 * that the parcel registry already ties to the parcel (15 %), only the street
 * address and unit (20 %), only blurred coordinates (up to ~150 m) with the
 * right type and bedrooms (15 %), or nothing usable (5 %).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <math.h>

#include "banned.h"

static uint64_t rng_state;

static uint64_t rnd(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static unsigned rndn(unsigned n)
{
	return (unsigned)(rnd() % n);
}

static double rndf(void)
{
	return (double)(rnd() >> 11) / 9007199254740992.0;
}

struct county {
	int digit;
	const char *island;
	const char *city;
	const char *zip;
	double lat0, lat1, lon0, lon1;
	int maxzone;
};

static const struct county counties[4] = {
	{ 1, "Oahu", "Honolulu", "96815", 21.27, 21.65, -158.25, -157.70, 9 },
	{ 2, "Maui", "Kihei", "96753", 20.62, 20.98, -156.68, -156.00, 6 },
	{ 3, "Hawaii", "Kailua-Kona", "96740", 19.20, 20.20, -156.05, -155.00, 9 },
	{ 4, "Kauai", "Princeville", "96722", 21.88, 22.22, -159.75, -159.32, 5 },
};

static const char *ptypes[] = { "single_family", "condo", "townhouse", "condo", "single_family" };
static const char *streets[] = { "Aliʻi Dr", "Kalakaua Ave", "S Kihei Rd", "Kuhio Hwy",
				 "Lower Honoapiilani Rd", "Kamehameha V Hwy", "Poipu Rd",
				 "Ka'ahumanu Ave", "Waikoloa Beach Dr", "Ala Moana Blvd" };

struct parcel {
	char tmk[40];
	char tat[64];
	double lat, lon;
	int county;
	int ptype;
	int beds;
	int street, number;
	int unit;
};

static FILE *open_out(const char *dir, const char *name)
{
	char path[4096];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fp = fopen(path, "w");
	if (!fp) {
		fprintf(stderr, "gen_hawaii: cannot write '%s': %s\n", path, strerror(errno));
		exit(74);
	}
	setvbuf(fp, NULL, _IOFBF, 1 << 20);
	return fp;
}

static void close_out(FILE *fp, const char *name)
{
	if (fflush(fp) != 0 || ferror(fp) || fclose(fp) != 0) {
		fprintf(stderr, "gen_hawaii: write error on '%s'\n", name);
		exit(74);
	}
}

/* A fake but well-formed landing hash per file. */
static void fake_hash(char out[65], const char *tag, uint64_t seed)
{
	uint64_t s = seed ^ (uint64_t)strlen(tag) * 0x9e37ULL;
	for (int i = 0; i < 64; i++) {
		s = s * 6364136223846793005ULL + 1442695040888963407ULL;
		out[i] = "0123456789abcdef"[(s >> 59) & 15];
	}
	out[64] = '\0';
}

/* Append an unsigned decimal to p; return the new end. */
static char *put_u(char *p, unsigned long long v)
{
	char tmp[24];
	int n = 0;
	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		*p++ = tmp[--n];
	return p;
}

static char *put_s(char *p, const char *s)
{
	size_t n = strlen(s);
	memcpy(p, s, n);
	return p + n;
}

static char *put_date(char *p, int days) /* days since 1970-01-01 */
{
	/* civil from days (Howard Hinnant) */
	long z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long y = (long)yoe + era * 400;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	unsigned d = doy - (153 * mp + 2) / 5 + 1;
	unsigned m = mp < 10 ? mp + 3 : mp - 9;
	y += m <= 2;
	p = put_u(p, (unsigned long long)y);
	*p++ = '-';
	*p++ = (char)('0' + m / 10);
	*p++ = (char)('0' + m % 10);
	*p++ = '-';
	*p++ = (char)('0' + d / 10);
	*p++ = (char)('0' + d % 10);
	return p;
}

static int parse_date(const char *s)
{
	int y, m, d;
	if (sscanf(s, "%d-%d-%d", &y, &m, &d) != 3)
		return -1;
	y -= m <= 2;
	long era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (unsigned)(m > 2 ? m - 3 : m + 9) + 2) / 5 + (unsigned)d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (int)(era * 146097 + (long)doe - 719468);
}

static void address_key(char *out, size_t size, const struct parcel *pc)
{
	/* the normalized form: upper case, ASCII, single spaces */
	static const char *keys[] = { "ALII DR", "KALAKAUA AVE", "S KIHEI RD", "KUHIO HWY",
				      "LOWER HONOAPIILANI RD", "KAMEHAMEHA V HWY", "POIPU RD",
				      "KAAHUMANU AVE", "WAIKOLOA BEACH DR", "ALA MOANA BLVD" };
	snprintf(out, size, "%d %s", pc->number, keys[pc->street]);
}

int main(int argc, char **argv)
{
	uint64_t seed = 42;
	double scale = 1.0;
	const char *snapshot = "2026-11-01", *dir = NULL;
	long nparcels, nsales, nlistings, nreviews, nights = 365;
	struct parcel *pc;
	long *lp; /* listing -> parcel */
	char hash[65], line[8192], ak[128];
	int snap;
	FILE *fp, *truth;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--seed") && i + 1 < argc)
			seed = strtoull(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--scale") && i + 1 < argc)
			scale = strtod(argv[++i], NULL);
		else if (!strcmp(argv[i], "--snapshot") && i + 1 < argc)
			snapshot = argv[++i];
		else if (!strcmp(argv[i], "--help")) {
			printf("usage: gen_hawaii [--seed N] [--scale F] [--snapshot YYYY-MM-DD] OUTDIR\n");
			return 0;
		} else if (argv[i][0] == '-' || dir) {
			fprintf(stderr, "gen_hawaii: bad argument '%s'\n", argv[i]);
			return 64;
		} else
			dir = argv[i];
	}
	snap = parse_date(snapshot);
	if (!dir || scale <= 0 || scale > 10 || snap < 0) {
		fprintf(stderr, "usage: gen_hawaii [--seed N] [--scale F] [--snapshot YYYY-MM-DD] OUTDIR\n");
		return 64;
	}
	mkdir(dir, 0755);
	rng_state = seed;
	nparcels = (long)(500000 * scale);
	nsales = (long)(20000 * scale);
	nlistings = (long)(35000 * scale);
	nreviews = (long)(1000000 * scale);
	if (nparcels < nlistings * 2)
		nparcels = nlistings * 2;

	/* parcels: unique TMKs by construction (plat/parcel from the index) */
	pc = calloc((size_t)nparcels, sizeof(*pc));
	lp = calloc((size_t)nlistings, sizeof(*lp));
	if (!pc || !lp)
		return 70;
	for (long i = 0; i < nparcels; i++) {
		struct parcel *p = &pc[i];
		const struct county *c = &counties[i % 4];
		long k = i / 4;
		int zone = 1 + (int)(k % (unsigned long)c->maxzone);
		int section = 1 + (int)((k / (unsigned long)c->maxzone) % 9);
		long rest = k / ((unsigned long)c->maxzone * 9);
		int plat = 1 + (int)(rest % 999), parcel = 1 + (int)(rest / 999 % 999);
		p->county = (int)(i % 4);
		p->ptype = (int)rndn(5);
		p->unit = (!strcmp(ptypes[p->ptype], "condo") || p->ptype == 2) ? 1 + (int)rndn(400) : 0;
		snprintf(p->tmk, sizeof(p->tmk), "%d%d%d%03d%03d%04d", c->digit, zone, section, plat,
			 parcel, p->unit);
		p->lat = c->lat0 + (c->lat1 - c->lat0) * rndf();
		p->lon = c->lon0 + (c->lon1 - c->lon0) * rndf();
		p->beds = 1 + (int)rndn(5);
		p->street = (int)rndn(10);
		p->number = 1 + (int)(i / 10 % 9000) + (int)rndn(3) * 10000;
		snprintf(p->tat, sizeof(p->tat), "TA-%03ld-%03ld-%04ld-01", (i / 10000000) % 1000,
			 (i / 10000) % 1000, i % 10000);
	}
	/* listings: each on its own parcel (every 7th parcel from a random start) */
	{
		long start = (long)rndn(7);
		for (long j = 0; j < nlistings; j++)
			lp[j] = (start + j * ((nparcels - 1) / nlistings)) % nparcels;
	}

	/* properties.tsv */
	fake_hash(hash, "properties", seed);
	fp = open_out(dir, "properties.tsv");
	for (long i = 0; i < nparcels; i++) {
		const struct parcel *p = &pc[i];
		const struct county *c = &counties[p->county];
		/* the parcel registry ties TAT ids to 1 parcel in 3 */
		int tied = i % 3 == 0;
		address_key(ak, sizeof(ak), p);
		fprintf(fp, "county-%d\t%s\t%ld\t%ld\t\\N\t%s\t\\N\t%d %s\t%s\t%s\t%s\t%s\t%s\t\\N\t"
			    "%.6f\t%.6f\t%s\t%d\t%d.0\t%d\t%d\t%d.0\t%d\t\\N\t%d.00\t%d.00\t\\N\t%s\t\\N\n",
			c->digit, hash, i + 1, i * 200, p->tmk, p->number, streets[p->street], ak,
			p->unit ? (snprintf(line, 16, "%d", p->unit), line) : "\\N", c->city, c->zip,
			c->island, p->lat, p->lon, ptypes[p->ptype], p->beds, 1 + p->beds / 2,
			p->beds * 2, 600 + p->beds * 350, 5000 + (int)rndn(20000),
			1960 + (int)rndn(60), 300000 + (int)rndn(900000), 200000 + (int)rndn(800000),
			tied ? p->tat : "\\N");
	}
	close_out(fp, "properties.tsv");

	/* sales.tsv: one deed in 20 covers 2-3 parcels (one row per parcel, same doc no) */
	fake_hash(hash, "sales", seed);
	fp = open_out(dir, "sales.tsv");
	{
		long rowno = 0;
		for (long s = 0; s < nsales; s++) {
			long base = (long)(rnd() % (unsigned long)nparcels);
			int parts = s % 20 == 0 ? 2 + (int)rndn(2) : 1;
			int county = pc[base].county;
			int lc = s % 10 == 0;
			int d = snap - 1 - (int)rndn(700);
			long price = 400000 + (long)rndn(3000000);
			char doc[32], *q;
			snprintf(doc, sizeof(doc), "%s-%ld", lc ? "T" : "A", 80000000L + s);
			for (int k = 0; k < parts; k++) {
				long pi = base + 4L * k; /* same county */
				if (pi >= nparcels)
					pi = base;
				q = line;
				q += snprintf(q, 600, "county-%d\t%s\t%ld\t%ld\t\\N\t%s\t%s\t%s\t%s\t\\N\t\\N\t\\N\t",
					      counties[county].digit, hash, rowno + 1, rowno * 180,
					      pc[pi].tmk, k == 2 ? "t" : "f", lc ? "\\N" : doc,
					      lc ? doc : "\\N");
				q = put_date(q, d - (int)rndn(20));
				*q++ = '\t';
				q = put_date(q, d);
				q += snprintf(q, 600, "\t%ld.00\t%ld.00\tDEED\tWD\t0\tARMS\tSELLER %ld LLC\t"
						      "BUYER %ld TRUST\t%ld MAIN ST, SEATTLE WA\t%s\t\\N\t\\N\n",
					      price, price / 500, s, s, s % 900, s % 2 ? "WA" : "HI");
				fputs(line, fp);
				rowno++;
			}
		}
	}
	close_out(fp, "sales.tsv");

	/* listings.tsv and truth.txt */
	fake_hash(hash, "listings", seed);
	fp = open_out(dir, "listings.tsv");
	truth = open_out(dir, "truth.txt");
	for (long j = 0; j < nlistings; j++) {
		const struct parcel *p = &pc[lp[j]];
		const struct county *c = &counties[p->county];
		unsigned kind = (unsigned)(j % 20); /* 0-8 tmk, 9-11 tat, 12-15 address, 16-18 geo, 19 none */
		const char *method = kind < 9 ? "tmk" : kind < 12 ? "tat_id" : kind < 16 ? "address" :
				     kind < 19 ? "geo" : "none";
		char lic[160] = "\\N", tat[64] = "\\N", tmk[48] = "\\N", addr[128] = "\\N",
		     akey[128] = "\\N", unit[16] = "\\N", lat[24] = "\\N", lon[24] = "\\N";
		long mgr = j % 5 == 0 ? -1 : (long)(j % 37);
		int tat_ok = (lp[j] % 3) == 0;

		if (kind >= 9 && kind < 12 && !tat_ok)
			method = "none"; /* a TAT id nobody tied yet: stays unmatched */
		if (kind < 9) {
			snprintf(tmk, sizeof(tmk), "%s", p->tmk);
			snprintf(lic, sizeof(lic), "TMK %s, %s", p->tmk, p->tat);
			snprintf(tat, sizeof(tat), "%s", p->tat);
		} else if (kind < 12) {
			snprintf(tat, sizeof(tat), "%s", p->tat);
			snprintf(lic, sizeof(lic), "%s", p->tat);
		} else if (kind < 16) {
			snprintf(addr, sizeof(addr), "%d %s", p->number, streets[p->street]);
			address_key(akey, sizeof(akey), p);
			if (p->unit)
				snprintf(unit, sizeof(unit), "%d", p->unit);
		}
		if (kind >= 12 && kind < 19) {
			/* blurred by up to ~120 m */
			double dlat = (rndf() - 0.5) * 0.0022, dlon = (rndf() - 0.5) * 0.0024;
			snprintf(lat, sizeof(lat), "%.6f", p->lat + dlat);
			snprintf(lon, sizeof(lon), "%.6f", p->lon + dlon);
		} else if (kind == 19) {
			snprintf(lat, sizeof(lat), "%.6f", c->lat0 - 0.5); /* offshore */
			snprintf(lon, sizeof(lon), "%.6f", c->lon0 - 0.5);
		}
		fprintf(fp, "airbnb\t%s\t%ld\t%ld\t\\N\tairbnb\t%ld\thttps://www.airbnb.com/rooms/%ld\t"
			    "Ocean view %s %ld\t%s\t%ld\t%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t\\N\t\\N\t"
			    "%s\t%s\t%s\t%s\t%s\t\\N\t%d\t%s\t%s\t%s\tEntire home/apt\t%d\t%d.0\t%d\t"
			    "%d.00\tUSD\t4.8\t%ld\t\\N\t\\N\n",
			hash, j + 1, j * 700, 10000000L + j, 10000000L + j, ptypes[p->ptype], j,
			snapshot, 5000L + (mgr < 0 ? j : mgr), mgr < 0 ? "Owner Host" : "Aloha Stays",
			mgr < 0 ? 1 : 40,
			mgr < 0 ? "\\N" : (snprintf(ak, sizeof(ak), "Aloha Stays %ld", mgr), ak),
			mgr < 0 ? (snprintf(line, 64, "host:airbnb:%ld", 5000L + j), line)
				: (snprintf(line + 100, 64, "aloha stays %ld", mgr), line + 100),
			mgr < 0 ? "t" : "f", tmk, "\\N", tat, lic, addr,
			akey, unit, c->city, p->county + 1, lat, lon, ptypes[p->ptype], p->beds,
			1 + p->beds / 2, p->beds * 2, 150 + p->beds * 80, j % 200);
		fprintf(truth, "%ld\t%s\t%s\n", 10000000L + j, strcmp(method, "none") ? p->tmk : "",
			method);
	}
	close_out(fp, "listings.tsv");
	close_out(truth, "truth.txt");

	/* reviews.tsv */
	fake_hash(hash, "reviews", seed);
	fp = open_out(dir, "reviews.tsv");
	for (long r = 0; r < nreviews; r++) {
		long j = (long)(rnd() % (unsigned long)nlistings);
		double comp = rndf() * 2 - 1;
		char *q = line;
		q += snprintf(q, 400, "airbnb\t%s\t%ld\t%ld\t\\N\tairbnb\t%ld\t%ld\t", hash, r + 1,
			      r * 260, 10000000L + j, 900000000L + r);
		q = put_date(q, snap - 1 - (int)rndn(1500));
		q += snprintf(q, 600, "\tGuest %ld\t%d\t5\t\\N\tGreat stay, the lanai was lovely but "
				      "the AC was noisy.\\nWould come back.\t\\N\ten\t%.4f\t%.4f\t%.4f\t"
				      "%.4f\t{\"noise\": -0.4}\t%s\tvader-hi-1\n",
			      r % 1000, 3 + (int)rndn(3), comp, comp > 0 ? comp * 0.5 : 0.0,
			      1 - fabs(comp) * 0.5, comp < 0 ? -comp * 0.5 : 0.0,
			      comp < -0.5 ? "noise" : "\\N");
		fputs(line, fp);
	}
	close_out(fp, "reviews.tsv");

	/* pricing.tsv: one snapshot, `nights` nights per listing, listing by listing */
	fake_hash(hash, "pricing", seed);
	fp = open_out(dir, "pricing.tsv");
	{
		long rowno = 0;
		char head[128], *hp = head;
		hp = put_s(hp, "airbnb\t");
		hp = put_s(hp, hash);
		*hp++ = '\t';
		for (long j = 0; j < nlistings; j++) {
			int base = 150 + (int)rndn(600);
			for (long n = 0; n < nights; n++, rowno++) {
				char *q = line;
				int avail = rndn(10) < 6;
				int price = base + (int)((n % 7) >= 5 ? base / 5 : 0);
				memcpy(q, head, (size_t)(hp - head));
				q += hp - head;
				q = put_u(q, (unsigned long long)rowno + 1);
				*q++ = '\t';
				q = put_u(q, (unsigned long long)rowno * 128);
				q = put_s(q, "\t\\N\tairbnb\t");
				q = put_u(q, (unsigned long long)(10000000L + j));
				*q++ = '\t';
				q = put_date(q, snap);
				*q++ = '\t';
				q = put_date(q, snap + (int)n);
				q = put_s(q, avail ? "\tt\t" : "\tf\t");
				q = put_u(q, (unsigned long long)price);
				q = put_s(q, ".00\t");
				if (n % 3 == 0) {
					q = put_s(q, "\\N");
				} else {
					q = put_u(q, (unsigned long long)price);
					q = put_s(q, ".00");
				}
				q = put_s(q, "\tUSD\t");
				q = put_u(q, 1 + (unsigned long long)(j % 5));
				q = put_s(q, "\t365\n");
				fwrite(line, 1, (size_t)(q - line), fp);
			}
		}
	}
	close_out(fp, "pricing.tsv");
	free(pc);
	free(lp);
	return 0;
}
