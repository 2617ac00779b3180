/*
 * gen_world: a Hawaii-scale market in the real formats the parsers read, laid
 * out as the demo world (fixtures/demo) so that config/demo's sources fetch it
 * from a loopback HTTP server: the whole night of make bench-night.
 *
 *   gen_world [--seed N] [--scale F] [--date YYYY-MM-DD] [--night K] OUTDIR
 *
 * At scale 1, night 1 (the first night, dated --date):
 *   gis/parcels.csv            500,000 parcels and condominium units (Oahu, Maui)
 *   oahu/owndat.csv, maui/owners.csv   an owner for every parcel (owners that
 *                              hold several parcels, trusts, LLCs, mail from
 *                              the islands, the mainland and abroad)
 *   maui/sales.txt             20,000 recorded sales (Oracle spool, some deeds
 *                              on several parcels)
 *   insideairbnb/listings.csv  35,000 listings, 75 columns (TMKs and TAT ids in
 *                              the licence, managers with many listings)
 *   insideairbnb/reviews.csv   1,000,000 reviews (texts of one to four clauses)
 *   insideairbnb/calendar.csv  365 nights of every listing from the scrape date
 *   pm/kaanapali-shores-314.html   copied by bench/night.sh from the demo
 * Night K > 1 is the world K-1 days later, the daily delta of each night in
 * between applied: a new calendar snapshot, 1 % more reviews, 300 more sales
 * and 300 owner changes (both times the scale, at least 3), the listings
 * scraped again.  Deterministic: same arguments, same bytes.
 */
#include "value.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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
	const char *name, *island, *city, *zip;
	double lat0, lat1, lon0, lon1;
};

static const struct county counties[2] = {
	{ 1, "Honolulu", "Oahu", "HONOLULU", "96815", 21.27, 21.65, -158.25, -157.70 },
	{ 2, "Maui", "Maui", "KIHEI", "96753", 20.62, 20.98, -156.68, -156.00 },
};

static const char *ptypes[] = { "single_family", "condo", "townhouse", "condo", "vacant" };
static const char *streets[] = { "ALII DR", "KALAKAUA AVE", "S KIHEI RD", "KUHIO HWY",
				 "L HONOAPIILANI RD", "KAMEHAMEHA V HWY", "POIPU RD",
				 "KAAHUMANU AVE", "WAIKOLOA BEACH DR", "ALA MOANA BLVD" };
static const char *surnames[] = { "HIGA", "OKAMOTO", "ALAKAI", "TANAKA", "SMITH", "NAKAMURA",
				  "KESSLER", "LOVETT", "CHANG", "KEAWE", "BERGSTROM", "SATO",
				  "ROSS", "KAHALE", "MORRIS", "YAMADA", "SILVA", "JOHNSON",
				  "KAMAKA", "NGUYEN", "LEE", "GARCIA", "MILLER", "KANOA" };
static const char *given[] = { "RONALD T", "KEONI K", "HIROSHI", "JESSE", "ALBERT & MAY",
			       "MALIA", "KARL", "KENJI & YUKI", "DAVID", "SUSAN", "MARK",
			       "JENNIFER", "LEILANI", "ROBERT", "AIKO", "PETER & ANN" };
static const char *mainland[][3] = { { "SEATTLE", "WA", "98109" }, { "SAN DIEGO", "CA", "92101" },
				     { "CHICAGO", "IL", "60611" }, { "PORTLAND", "OR", "97201" },
				     { "DENVER", "CO", "80202" }, { "AUSTIN", "TX", "78701" } };
static const char *islands_mail[][2] = { { "HONOLULU", "96815" }, { "KULA", "96790" },
					 { "LAHAINA", "96767" }, { "WAILUKU", "96793" },
					 { "KANEOHE", "96744" }, { "AIEA", "96701" } };
static const char *good[] = { "Wonderful stay", "The condo was spotless", "Great location",
			      "the view from the lanai was amazing", "check-in was easy",
			      "the host answered quickly", "everything worked",
			      "we would come back", "Perfect for a family",
			      "the beds were comfortable", "walking distance to the beach",
			      "great value for the money" };
static const char *bad[] = { "the AC was broken and nobody came", "hair in the shower",
			     "the sheets were stained", "it was noisy at night",
			     "the place smelled musty", "the wifi kept dropping",
			     "the pool was closed", "check-in was a mess",
			     "the photos are old", "there were ants in the kitchen" };
static const char *firstnames[] = { "Megan", "Tom", "Aiko", "Carlos", "Priya", "Jonas", "Lea",
				    "Sam", "Noa", "Ben", "Kim", "Olu" };

struct parcel {
	char tmk[16]; /* 13 digits */
	double lat, lon;
	unsigned char county, ptype, beds;
	unsigned char street;
	unsigned short number, unit;
	unsigned short owner_night; /* the night its owner last changed (1 = first) */
	unsigned owner; /* owner index: several parcels share one */
};

static FILE *open_out(const char *dir, const char *sub, const char *name)
{
	char path[4096];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", dir, sub);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/%s/%s", dir, sub, name);
	fp = fopen(path, "w");
	if (!fp) {
		fprintf(stderr, "gen_world: cannot write '%s': %s\n", path, strerror(errno));
		exit(74);
	}
	setvbuf(fp, NULL, _IOFBF, 1 << 20);
	return fp;
}

static void close_out(FILE *fp, const char *name)
{
	if (fflush(fp) != 0 || ferror(fp) || fclose(fp) != 0) {
		fprintf(stderr, "gen_world: write error on '%s'\n", name);
		exit(74);
	}
}

static void date_str(int32_t days, char *buf, size_t size, int slashes)
{
	struct value_date d;

	value_date_from_days(days, &d);
	value_date_format(&d, buf, size);
	if (slashes) {
		buf[4] = '/';
		buf[7] = '/';
	}
}

/* 1234567 -> "1,234,567" */
static void grouped(long v, char *buf, size_t size)
{
	if (v >= 1000000)
		snprintf(buf, size, "%ld,%03ld,%03ld", v / 1000000, v / 1000 % 1000, v % 1000);
	else if (v >= 1000)
		snprintf(buf, size, "%ld,%03ld", v / 1000, v % 1000);
	else
		snprintf(buf, size, "%ld", v);
}

static void owner_of(const struct parcel *p, char *name, size_t nsize, char *addr, size_t asize,
		     const char **city, const char **state, const char **zip, const char **country)
{
	uint64_t h = (uint64_t)p->owner * 0x9e3779b97f4a7c15ULL + p->owner_night * 0x632be59bd9b4e019ULL;
	unsigned kind = (unsigned)(h >> 7) % 20;

	h >>= 12;
	if (kind < 2)
		snprintf(name, nsize, "%s %s HOLDINGS LLC", surnames[h % 24], streets[h / 24 % 10]);
	else if (kind < 4)
		snprintf(name, nsize, "%s FAMILY TRUST", surnames[h % 24]);
	else
		snprintf(name, nsize, "\"%s,%s\"", surnames[h % 24], given[h / 24 % 16]);
	snprintf(addr, asize, "%u %s", (unsigned)(h % 9000) + 1, streets[h / 9000 % 10]);
	*country = "";
	if (kind < 12) {
		*city = islands_mail[h % 6][0];
		*state = "HI";
		*zip = islands_mail[h % 6][1];
	} else if (kind < 19) {
		*city = mainland[h % 6][0];
		*state = mainland[h % 6][1];
		*zip = mainland[h % 6][2];
	} else {
		snprintf(addr, asize, "2-11-%u MEGURO MEGURO-KU", (unsigned)(h % 30) + 1);
		*city = "TOKYO";
		*state = "";
		*zip = "153-0063";
		*country = "JAPAN";
	}
}

static const char LISTINGS_HEADER[] =
	"id,listing_url,scrape_id,last_scraped,source,name,description,neighborhood_overview,"
	"picture_url,host_id,host_url,host_name,host_since,host_location,host_about,"
	"host_response_time,host_response_rate,host_acceptance_rate,host_is_superhost,"
	"host_thumbnail_url,host_picture_url,host_neighbourhood,host_listings_count,"
	"host_total_listings_count,host_verifications,host_has_profile_pic,"
	"host_identity_verified,neighbourhood,neighbourhood_cleansed,"
	"neighbourhood_group_cleansed,latitude,longitude,property_type,room_type,accommodates,"
	"bathrooms,bathrooms_text,bedrooms,beds,amenities,price,minimum_nights,maximum_nights,"
	"minimum_minimum_nights,maximum_minimum_nights,minimum_maximum_nights,"
	"maximum_maximum_nights,minimum_nights_avg_ntm,maximum_nights_avg_ntm,"
	"calendar_updated,has_availability,availability_30,availability_60,availability_90,"
	"availability_365,calendar_last_scraped,number_of_reviews,number_of_reviews_ltm,"
	"number_of_reviews_l30d,first_review,last_review,review_scores_rating,"
	"review_scores_accuracy,review_scores_cleanliness,review_scores_checkin,"
	"review_scores_communication,review_scores_location,review_scores_value,license,"
	"instant_bookable,calculated_host_listings_count,"
	"calculated_host_listings_count_entire_homes,"
	"calculated_host_listings_count_private_rooms,"
	"calculated_host_listings_count_shared_rooms,reviews_per_month\n";

static unsigned long long listing_id(long j)
{
	/* old short ids and 19-digit new ones, as Inside Airbnb has them */
	return j % 3 ? 1000000ULL + (unsigned long long)j * 37
		     : 1279846646046615122ULL - (unsigned long long)j * 7919;
}

static void review_text(char *buf, size_t size)
{
	unsigned n = 1 + rndn(4), neg = rndn(10) < 3;
	size_t used = 0;

	buf[0] = '\0';
	for (unsigned k = 0; k < n && used + 80 < size; k++) {
		const char *c = neg && rndn(2) ? bad[rndn(10)] : good[rndn(12)];
		used += (size_t)snprintf(buf + used, size - used, "%s%s", k ? (rndn(3) ? ", " : ". ") : "",
					 c);
	}
	if (used + 4 < size && rndn(8) == 0)
		used += (size_t)snprintf(buf + used, size - used, ".\nMahalo!");
	else if (used + 2 < size)
		snprintf(buf + used, size - used, ".");
}

int main(int argc, char **argv)
{
	uint64_t seed = 42;
	double scale = 1.0;
	const char *date = "2026-11-20", *dir = NULL;
	int night = 1;
	long nparcels, nowners, nsales, nlistings, nreviews, delta;
	struct parcel *pc;
	long *lp;
	struct value_date vd;
	int32_t day0, today;
	char buf[4096], d1[16], d2[16], name[128], addr[128];
	FILE *fp;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--seed") && i + 1 < argc)
			seed = strtoull(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--scale") && i + 1 < argc)
			scale = strtod(argv[++i], NULL);
		else if (!strcmp(argv[i], "--date") && i + 1 < argc)
			date = argv[++i];
		else if (!strcmp(argv[i], "--night") && i + 1 < argc)
			night = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--help")) {
			printf("usage: gen_world [--seed N] [--scale F] [--date YYYY-MM-DD] [--night K] OUTDIR\n");
			return 0;
		} else if (argv[i][0] == '-' || dir) {
			fprintf(stderr, "gen_world: bad argument '%s'\n", argv[i]);
			return 64;
		} else
			dir = argv[i];
	}
	if (!dir || scale <= 0 || scale > 10 || night < 1 || night > 1000 ||
	    value_date(date, strlen(date), &vd) != 1) {
		fprintf(stderr, "usage: gen_world [--seed N] [--scale F] [--date YYYY-MM-DD] [--night K] OUTDIR\n");
		return 64;
	}
	day0 = value_date_days(&vd);
	today = day0 + night - 1;
	mkdir(dir, 0755);
	nparcels = (long)(500000 * scale);
	nsales = (long)(20000 * scale);
	nlistings = (long)(35000 * scale);
	nreviews = (long)(1000000 * scale);
	delta = (long)(300 * scale);
	if (delta < 3)
		delta = 3;
	if (nlistings < 10)
		nlistings = 10;
	if (nparcels < nlistings * 4)
		nparcels = nlistings * 4;
	nowners = nparcels * 3 / 4;

	/* parcels: unique TMKs by construction */
	rng_state = seed;
	pc = calloc((size_t)nparcels, sizeof(*pc));
	lp = calloc((size_t)nlistings, sizeof(*lp));
	if (!pc || !lp)
		return 70;
	for (long i = 0; i < nparcels; i++) {
		struct parcel *p = &pc[i];
		const struct county *c = &counties[i % 2];
		long k = i / 2;
		int zone = 1 + (int)(k % 6), section = 1 + (int)(k / 6 % 9);
		long rest = k / 54;
		int plat = 1 + (int)(rest % 999), parcel = 1 + (int)(rest / 999 % 999);

		p->county = (unsigned char)(i % 2);
		p->ptype = (unsigned char)rndn(5);
		p->unit = (unsigned short)(p->ptype == 1 || p->ptype == 3 ? 1 + rndn(400) : 0);
		snprintf(p->tmk, sizeof(p->tmk), "%d%d%d%03d%03d%04d", c->digit, zone, section, plat,
			 parcel, p->unit);
		p->lat = c->lat0 + (c->lat1 - c->lat0) * rndf();
		p->lon = c->lon0 + (c->lon1 - c->lon0) * rndf();
		p->beds = (unsigned char)(1 + rndn(5));
		p->street = (unsigned char)rndn(10);
		p->number = (unsigned short)(1 + i / 10 % 9000);
		/* one owner in four holds two parcels or more */
		p->owner = rndn(4) ? (unsigned)(i % nowners) : (unsigned)rndn((unsigned)nowners);
		p->owner_night = 1;
	}
	/* owner changes of nights 2..night: a new owner for `delta` parcels a night */
	for (int n = 2; n <= night; n++) {
		rng_state = seed * 1000003ULL + (uint64_t)n;
		for (long k = 0; k < delta; k++) {
			struct parcel *p = &pc[rnd() % (uint64_t)nparcels];
			p->owner_night = (unsigned short)n;
			p->owner = (unsigned)(nowners + rnd() % (uint64_t)nowners);
		}
	}
	rng_state = seed ^ 0x5bd1e995ULL;
	for (long j = 0; j < nlistings; j++)
		lp[j] = (long)(rnd() % (uint64_t)nparcels);

	/* gis/parcels.csv */
	fp = open_out(dir, "gis", "parcels.csv");
	fputs("OBJECTID,tmk_txt,county,island,gisacres,bedrooms,bathrooms,prop_type,situs_address,"
	      "INTPTLAT,INTPTLON\n", fp);
	for (long i = 0; i < nparcels; i++) {
		const struct parcel *p = &pc[i];
		const struct county *c = &counties[p->county];
		char unit[16] = "";
		if (p->unit)
			snprintf(unit, sizeof(unit), " APT %u", p->unit);
		fprintf(fp, "%ld,%s,%s,%s,%.2f,%u,%u,%s,%u %s%s,%.6f,%.6f\n", 1000 + i, p->tmk,
			c->name, c->island, p->unit ? 0.02 : 0.1 + (double)(i % 90) / 100, p->beds,
			1 + p->beds / 2, ptypes[p->ptype], p->number, streets[p->street], unit, p->lat,
			p->lon);
	}
	close_out(fp, "gis/parcels.csv");

	/* oahu/owndat.csv (parid without the county digit) and maui/owners.csv */
	{
		FILE *oahu = open_out(dir, "oahu", "owndat.csv");
		FILE *maui = open_out(dir, "maui", "owners.csv");
		const char *city, *state, *zip, *country;
		fputs("parid,taxyr,taxbillowner,own2,taxbilladdress,taxbillcity,taxbillstate,"
		      "taxbillzip5,taxbillcountry,owntype1\n", oahu);
		fputs("TMK,TAX_YEAR,OWNER_NAME,OWNER_TYPE,MAIL_ADDR,MAIL_CITY,MAIL_STATE,MAIL_ZIP,"
		      "MAIL_COUNTRY\n", maui);
		for (long i = 0; i < nparcels; i++) {
			const struct parcel *p = &pc[i];
			owner_of(p, name, sizeof(name), addr, sizeof(addr), &city, &state, &zip, &country);
			if (p->county == 0)
				fprintf(oahu, "%s,2027,%s,,%s,%s,%s,%s,%s,1A\n", p->tmk + 1, name, addr,
					city, state, zip, country);
			else
				fprintf(maui, "%s,2027,%s,FEE,%s,%s,%s,%s,%s\n", p->tmk, name, addr, city,
					state, zip, country);
		}
		close_out(oahu, "oahu/owndat.csv");
		close_out(maui, "maui/owners.csv");
	}

	/* maui/sales.txt: the sales of the first night, then `delta` a night */
	fp = open_out(dir, "maui", "sales.txt");
	fputs("\nPARID            ,SALEDATE  ,PRICE     ,RECORDDATE,INSTRUNO            ,"
	      "INSTRUTYPE                              ,LANDCOURT_NO                            ,"
	      "CERT_NO                                 ,BOOK    ,PAGE    ,"
	      "CONV_TAX                                ,DOC_TYPE                                ,"
	      "VALCODE                                 ,SA,SALETYP   ,\n"
	      "-----------------,----------,----------,----------,--------------------,"
	      "----------------------------------------,----------------------------------------,"
	      "----------------------------------------,--------,--------,"
	      "----------------------------------------,----------------------------------------,"
	      "----------------------------------------,--,----------,\n", fp);
	{
		long rows = 0;
		for (int n = 1; n <= night; n++) {
			long count = n == 1 ? nsales : delta;
			rng_state = seed * 7919ULL + (uint64_t)n;
			for (long s = 0; s < count; s++) {
				/* a Maui parcel (odd index) */
				long base = (long)(rnd() % (uint64_t)(nparcels / 2)) * 2 + 1;
				int parts = s % 20 == 0 ? 2 + (int)rndn(2) : 1;
				int32_t rec = n == 1 ? day0 - 1 - (int32_t)rndn(700) : day0 + n - 3;
				long price = 400000 + (long)rndn(3000) * 1000;
				char doc[32], pr[24], tax[24];
				snprintf(doc, sizeof(doc), "A-%ld", 80000000L + (long)n * 1000000 + s);
				date_str(rec - 3 - (int32_t)rndn(20), d1, sizeof(d1), 1);
				date_str(rec, d2, sizeof(d2), 1);
				grouped(price, pr, sizeof(pr));
				snprintf(tax, sizeof(tax), "%ld.00", price / 400);
				for (int k = 0; k < parts; k++) {
					long pi = base + 2L * k < nparcels ? base + 2L * k : base;
					const struct parcel *p = &pc[pi];
					fprintf(fp, "%-17s,%s,%10s,%s,%-20s,%-40s,%-40s,%-40s,%-8s,%-8s,"
						    "%-40s,%-40s,%-40s,%2d,%-10s,\n",
						p->tmk + 1, d1, pr, d2, doc, "fee conveyance", "", "", "", "",
						tax, p->unit ? "apartment deed" : "deed", "", 0,
						p->unit ? "CONDO" : "LAND+BLDG");
					rows++;
				}
			}
		}
		fprintf(fp, "\n%ld rows selected.\n\n", rows);
	}
	close_out(fp, "maui/sales.txt");

	/* insideairbnb/listings.csv: scraped today */
	date_str(today, d1, sizeof(d1), 0);
	fp = open_out(dir, "insideairbnb", "listings.csv");
	fputs(LISTINGS_HEADER, fp);
	rng_state = seed * 31ULL + 7;
	for (long j = 0; j < nlistings; j++) {
		const struct parcel *p = &pc[lp[j]];
		const struct county *c = &counties[p->county];
		unsigned long long id = listing_id(j);
		unsigned kind = (unsigned)(j % 20);
		long mgr = j % 5 == 0 ? -1 : (long)(j % 97);
		long host = mgr < 0 ? 50000000L + j : 41000000L + mgr;
		char lic[96] = "", hname[96];
		int price = 120 + (int)rndn(900);

		if (kind < 5)
			snprintf(lic, sizeof(lic), "\"%.12s, TA-%03ld-%03ld-%04ld-01\"", p->tmk + 1,
				 j / 1000000 % 1000, j / 1000 % 1000, j % 1000);
		else if (kind < 9)
			snprintf(lic, sizeof(lic), "TMK (%c) %c-%c-%.3s:%.3s-%.4s", p->tmk[0], p->tmk[1],
				 p->tmk[2], p->tmk + 3, p->tmk + 6, p->tmk + 9);
		else if (kind < 12)
			snprintf(lic, sizeof(lic), "TA-%03ld-%03ld-%04ld-01", j / 1000000 % 1000,
				 j / 1000 % 1000, j % 1000);
		if (mgr < 0)
			snprintf(hname, sizeof(hname), "%s", firstnames[j % 12]);
		else
			snprintf(hname, sizeof(hname), "%s Vacation Rentals %ld",
				 c->island, mgr);
		fprintf(fp,
			"%llu,https://www.airbnb.com/rooms/%llu,20261120003614,%s,city scrape,"
			"%s %s %uBR,\"%s %uBR in %s. Fully equipped kitchen, lanai.<br /><br /><b>The space</b>"
			"<br />%u bedroom(s).\",\"Walk to the beach, shops and restaurants.\","
			"https://a0.muscache.com/pictures/%llu.jpg,%ld,https://www.airbnb.com/users/show/%ld,"
			"%s,2014-03-02,\"%s, HI\",,within an hour,100%%,95%%,f,,,%s,%ld,%ld,"
			"\"['email', 'phone']\",t,t,\"%s, Hawaii, United States\",%s,%s,%.5f,%.5f,"
			"Entire condo,Entire home/apt,%u,%u,%u baths,%u,%u,"
			"\"[\"\"Wifi\"\", \"\"Kitchen\"\", \"\"Air conditioning\"\"]\",\"$%d.00\",3,365,3,3,"
			"365,365,3.0,365.0,,t,12,30,51,240,%s,%ld,%ld,0,2025-07-14,%s,4.%ld,4.8,4.%ld,4.9,4.8,"
			"4.9,4.6,%s,t,%ld,%ld,0,0,0.67\n",
			id, id, d1, c->island, ptypes[p->ptype], p->beds, c->island, p->beds, c->city,
			p->beds, id, host, host, hname, c->city, c->island, mgr < 0 ? 1L : 60L,
			mgr < 0 ? 1L : 60L, c->island, c->island, c->name,
			p->lat + (rndf() - 0.5) * 0.002, p->lon + (rndf() - 0.5) * 0.002, 2 * p->beds,
			1 + p->beds / 2, 1 + p->beds / 2, p->beds, p->beds + 1, price, d1, 5 + j % 60,
			j % 12, d1, j % 10, (j + 3) % 10, lic, mgr < 0 ? 1L : 60L, mgr < 0 ? 1L : 60L);
	}
	close_out(fp, "insideairbnb/listings.csv");

	/* insideairbnb/reviews.csv: every review so far (1 % more each night) */
	fp = open_out(dir, "insideairbnb", "reviews.csv");
	fputs("listing_id,id,date,reviewer_id,reviewer_name,comments\n", fp);
	{
		long id = 0;
		for (int n = 1; n <= night; n++) {
			long count = n == 1 ? nreviews : nreviews / 100;
			rng_state = seed * 104729ULL + (uint64_t)n;
			for (long r = 0; r < count; r++, id++) {
				long j = (long)(rnd() % (uint64_t)nlistings);
				int32_t d = n == 1 ? day0 - 1 - (int32_t)rndn(1500) : day0 + n - 2;
				char text[600];
				int quote;
				date_str(d, d1, sizeof(d1), 0);
				review_text(text, sizeof(text));
				quote = strpbrk(text, ",\n\"") != NULL;
				fprintf(fp, "%llu,%ld,%s,%ld,%s,%s%s%s\n", listing_id(j),
					881000000000000000L + id * 7919, d1, 400000000L + id % 900000,
					firstnames[id % 12], quote ? "\"" : "", text, quote ? "\"" : "");
			}
		}
	}
	close_out(fp, "insideairbnb/reviews.csv");

	/* insideairbnb/calendar.csv: 365 nights of every listing from today */
	fp = open_out(dir, "insideairbnb", "calendar.csv");
	fputs("listing_id,date,available,price,adjusted_price,minimum_nights,maximum_nights\n", fp);
	rng_state = seed * 15485863ULL + (uint64_t)night;
	for (long j = 0; j < nlistings; j++) {
		unsigned long long id = listing_id(j);
		long base = 80 + (long)rndn(1400);
		int minn = 1 + (int)rndn(30), adj = rndn(4) != 0;
		char *q = buf;

		for (int32_t k = 0; k < 365; k++) {
			char p[32];
			long price = base + (long)rndn(50) - 25 + (k % 7 >= 5 ? 40 : 0);
			if (price < 10)
				price = 10;
			if (price >= 1000)
				snprintf(p, sizeof(p), "\"$%ld,%03ld.00\"", price / 1000, price % 1000);
			else
				snprintf(p, sizeof(p), "$%ld.00", price);
			date_str(today + k, d1, sizeof(d1), 0);
			q += snprintf(q, 200, "%llu,%s,%c,%s,%s,", id, d1, rndn(3) ? 'f' : 't', p,
				      adj ? p : "");
			if (rndn(50) == 0)
				q += snprintf(q, 8, ",\n");
			else
				q += snprintf(q, 32, "%d,1125\n", minn);
			if (q - buf > (long)sizeof(buf) - 256) {
				fwrite(buf, 1, (size_t)(q - buf), fp);
				q = buf;
			}
		}
		fwrite(buf, 1, (size_t)(q - buf), fp);
	}
	close_out(fp, "insideairbnb/calendar.csv");
	free(pc);
	free(lp);
	return 0;
}
