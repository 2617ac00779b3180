/*
 * geo_hi: Hawaii places and ZIP codes to county and island.
 *
 * A table in code: every Hawaii ZIP (967xx, 968xx) and the city, resort and
 * island names that appear in mailing addresses and listings ("Kailua-Kona",
 * "Wailea", "Big Island").  Names are matched case-insensitively with
 * Hawaiian diacritics folded (ʻokina, kahakō) and punctuation ignored
 * ("Kailua Kona" = "Kailua-Kona").  Names that exist on two islands
 * ("Waimea", "Kailua") are ambiguous and resolve to nothing unless a ZIP
 * settles them.
 *
 * Memory: lookups return pointers to static data; nothing allocates.
 */
#ifndef MI_GEO_HI_H
#define MI_GEO_HI_H

#include <stddef.h>

enum geo_island {
	GEO_ISLAND_UNKNOWN = 0,
	GEO_OAHU,      /* county 1 */
	GEO_MAUI,      /* county 2 */
	GEO_MOLOKAI,   /* county 2 */
	GEO_LANAI,     /* county 2 */
	GEO_KAHOOLAWE, /* county 2 */
	GEO_HAWAII,    /* county 3: Hawaii Island, the Big Island */
	GEO_KAUAI,     /* county 4 */
	GEO_NIIHAU,    /* county 4 */
};

struct geo_place {
	int county;              /* TMK county digit 1-4, 0 unknown */
	enum geo_island island;  /* GEO_ISLAND_UNKNOWN when the name spans islands */
	const char *name;        /* canonical place name, static */
};

/* The island's name ("Oahu", "Hawaii"), "" for unknown. */
const char *geo_island_name(enum geo_island island);
/* The county's name ("Honolulu", "Maui", "Hawaii", "Kauai"), "" for unknown. */
const char *geo_county_name(int county);
/* The TMK county digit of an island, 0 for unknown. */
int geo_island_county(enum geo_island island);

/*
 * An island by name: its own name first, any case ("Hawaii" is the island,
 * not the state), else a place name that lies on one island ("Big Island",
 * "Lahaina"); GEO_ISLAND_UNKNOWN otherwise.
 */
enum geo_island geo_island_parse(const char *name);

/*
 * The island of a parcel from its TMK county, zone and section: Honolulu
 * Oahu, Hawaii County the Big Island, Maui County by zone (5 and 6 Molokai,
 * 4 section 9 Lanai, the rest of 1-4 Maui), Kauai County Kauai except zone 1
 * section 1 (Waimea, where Niihau lies too); GEO_ISLAND_UNKNOWN when the
 * key cannot say.
 */
enum geo_island geo_tmk_island(int county, int zone, int section);

/*
 * Look up a ZIP: "96740", "96740-1234", "96740 1234".  Returns 0 and fills
 * *out, or -1 when it is not a Hawaii ZIP (or not a ZIP).
 */
int geo_hi_zip(const char *zip, size_t len, struct geo_place *out);

/*
 * Look up a place or island name.  Returns 0 and fills *out (county known,
 * island maybe unknown), or -1 when unknown or ambiguous across counties.
 */
int geo_hi_place(const char *name, size_t len, struct geo_place *out);

/*
 * Whether a US state written as "HI", "Hawaii", "Hawai'i" (any case) is
 * Hawaii: 1 yes, 0 another value, -1 empty.
 */
int geo_is_hawaii_state(const char *s, size_t len);

#endif
