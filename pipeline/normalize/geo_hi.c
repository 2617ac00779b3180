#include "geo_hi.h"
#include "textfold.h"

#include <string.h>
#include <strings.h>

#include "banned.h"

/*
 * Every Hawaii ZIP code with its post office and island (USPS city names;
 * military and PO-box-only ZIPs included because owners use them as mailing
 * addresses).  Sorted by ZIP for a binary search.
 */
struct zip_row {
	int zip;
	enum geo_island island;
	const char *name;
};

static const struct zip_row zips[] = {
	{ 96701, GEO_OAHU, "AIEA" },
	{ 96703, GEO_KAUAI, "ANAHOLA" },
	{ 96704, GEO_HAWAII, "CAPTAIN COOK" },
	{ 96705, GEO_KAUAI, "ELEELE" },
	{ 96706, GEO_OAHU, "EWA BEACH" },
	{ 96707, GEO_OAHU, "KAPOLEI" },
	{ 96708, GEO_MAUI, "HAIKU" },
	{ 96709, GEO_OAHU, "KAPOLEI" },
	{ 96710, GEO_HAWAII, "HAKALAU" },
	{ 96712, GEO_OAHU, "HALEIWA" },
	{ 96713, GEO_MAUI, "HANA" },
	{ 96714, GEO_KAUAI, "HANALEI" },
	{ 96715, GEO_KAUAI, "HANAMAULU" },
	{ 96716, GEO_KAUAI, "HANAPEPE" },
	{ 96717, GEO_OAHU, "HAUULA" },
	{ 96718, GEO_HAWAII, "HAWAII NATIONAL PARK" },
	{ 96719, GEO_HAWAII, "HAWI" },
	{ 96720, GEO_HAWAII, "HILO" },
	{ 96721, GEO_HAWAII, "HILO" },
	{ 96722, GEO_KAUAI, "PRINCEVILLE" },
	{ 96725, GEO_HAWAII, "HOLUALOA" },
	{ 96726, GEO_HAWAII, "HONAUNAU" },
	{ 96727, GEO_HAWAII, "HONOKAA" },
	{ 96728, GEO_HAWAII, "HONOMU" },
	{ 96729, GEO_MOLOKAI, "HOOLEHUA" },
	{ 96730, GEO_OAHU, "KAAAWA" },
	{ 96731, GEO_OAHU, "KAHUKU" },
	{ 96732, GEO_MAUI, "KAHULUI" },
	{ 96733, GEO_MAUI, "KAHULUI" },
	{ 96734, GEO_OAHU, "KAILUA" },
	{ 96737, GEO_HAWAII, "OCEAN VIEW" },
	{ 96738, GEO_HAWAII, "WAIKOLOA" },
	{ 96739, GEO_HAWAII, "KEAUHOU" },
	{ 96740, GEO_HAWAII, "KAILUA KONA" },
	{ 96741, GEO_KAUAI, "KALAHEO" },
	{ 96742, GEO_MOLOKAI, "KALAUPAPA" },
	{ 96743, GEO_HAWAII, "KAMUELA" },
	{ 96744, GEO_OAHU, "KANEOHE" },
	{ 96745, GEO_HAWAII, "KAILUA KONA" },
	{ 96746, GEO_KAUAI, "KAPAA" },
	{ 96747, GEO_KAUAI, "KAUMAKANI" },
	{ 96748, GEO_MOLOKAI, "KAUNAKAKAI" },
	{ 96749, GEO_HAWAII, "KEAAU" },
	{ 96750, GEO_HAWAII, "KEALAKEKUA" },
	{ 96751, GEO_KAUAI, "KEALIA" },
	{ 96752, GEO_KAUAI, "KEKAHA" },
	{ 96753, GEO_MAUI, "KIHEI" },
	{ 96754, GEO_KAUAI, "KILAUEA" },
	{ 96755, GEO_HAWAII, "KAPAAU" },
	{ 96756, GEO_KAUAI, "KOLOA" },
	{ 96757, GEO_MOLOKAI, "KUALAPUU" },
	{ 96759, GEO_OAHU, "KUNIA" },
	{ 96760, GEO_HAWAII, "KURTISTOWN" },
	{ 96761, GEO_MAUI, "LAHAINA" },
	{ 96762, GEO_OAHU, "LAIE" },
	{ 96763, GEO_LANAI, "LANAI CITY" },
	{ 96764, GEO_HAWAII, "LAUPAHOEHOE" },
	{ 96765, GEO_KAUAI, "LAWAI" },
	{ 96766, GEO_KAUAI, "LIHUE" },
	{ 96767, GEO_MAUI, "LAHAINA" },
	{ 96768, GEO_MAUI, "MAKAWAO" },
	{ 96769, GEO_NIIHAU, "MAKAWELI" },
	{ 96770, GEO_MOLOKAI, "MAUNALOA" },
	{ 96771, GEO_HAWAII, "MOUNTAIN VIEW" },
	{ 96772, GEO_HAWAII, "NAALEHU" },
	{ 96773, GEO_HAWAII, "NINOLE" },
	{ 96774, GEO_HAWAII, "OOKALA" },
	{ 96776, GEO_HAWAII, "PAAUILO" },
	{ 96777, GEO_HAWAII, "PAHALA" },
	{ 96778, GEO_HAWAII, "PAHOA" },
	{ 96779, GEO_MAUI, "PAIA" },
	{ 96780, GEO_HAWAII, "PAPAALOA" },
	{ 96781, GEO_HAWAII, "PAPAIKOU" },
	{ 96782, GEO_OAHU, "PEARL CITY" },
	{ 96783, GEO_HAWAII, "PEPEEKEO" },
	{ 96784, GEO_MAUI, "PUUNENE" },
	{ 96785, GEO_HAWAII, "VOLCANO" },
	{ 96786, GEO_OAHU, "WAHIAWA" },
	{ 96788, GEO_MAUI, "PUKALANI" },
	{ 96789, GEO_OAHU, "MILILANI" },
	{ 96790, GEO_MAUI, "KULA" },
	{ 96791, GEO_OAHU, "WAIALUA" },
	{ 96792, GEO_OAHU, "WAIANAE" },
	{ 96793, GEO_MAUI, "WAILUKU" },
	{ 96795, GEO_OAHU, "WAIMANALO" },
	{ 96796, GEO_KAUAI, "WAIMEA" },
	{ 96797, GEO_OAHU, "WAIPAHU" },
};

/* 96801-96898 are all Honolulu post offices and military posts on Oahu. */
#define HNL_FIRST 96801
#define HNL_LAST 96898

/*
 * Place names beyond the post offices: districts, resorts, islands.  Folded
 * (textfold, no punctuation kept) spelling.  island GEO_ISLAND_UNKNOWN with a county means the
 * name spans islands of one county; county 0 marks a name found in two
 * counties (ambiguous).
 */
struct place_row {
	const char *name;
	int county;
	enum geo_island island;
};

static const struct place_row places[] = {
	{ "OAHU", 1, GEO_OAHU },
	{ "HONOLULU", 1, GEO_OAHU },
	{ "WAIKIKI", 1, GEO_OAHU },
	{ "KO OLINA", 1, GEO_OAHU },
	{ "KOOLINA", 1, GEO_OAHU },
	{ "NORTH SHORE", 0, GEO_ISLAND_UNKNOWN },
	{ "HAWAII KAI", 1, GEO_OAHU },
	{ "MANOA", 1, GEO_OAHU },
	{ "KAHALA", 1, GEO_OAHU },
	{ "SUNSET BEACH", 1, GEO_OAHU },
	{ "MAKAHA", 1, GEO_OAHU },
	{ "NANAKULI", 1, GEO_OAHU },
	{ "WAIALAE", 1, GEO_OAHU },
	{ "TURTLE BAY", 1, GEO_OAHU },
	{ "KAILUA", 0, GEO_ISLAND_UNKNOWN }, /* Oahu, and Kailua-Kona for short */
	{ "MAUI", 2, GEO_MAUI },
	{ "WAILEA", 2, GEO_MAUI },
	{ "MAKENA", 2, GEO_MAUI },
	{ "KAANAPALI", 2, GEO_MAUI },
	{ "KAPALUA", 2, GEO_MAUI },
	{ "NAPILI", 2, GEO_MAUI },
	{ "KAHANA", 2, GEO_MAUI },
	{ "HONOKOWAI", 2, GEO_MAUI },
	{ "MAALAEA", 2, GEO_MAUI },
	{ "SPRECKELSVILLE", 2, GEO_MAUI },
	{ "UPCOUNTRY", 2, GEO_MAUI },
	{ "MOLOKAI", 2, GEO_MOLOKAI },
	{ "LANAI", 2, GEO_LANAI },
	{ "KAHOOLAWE", 2, GEO_KAHOOLAWE },
	{ "MAUI COUNTY", 2, GEO_ISLAND_UNKNOWN },
	{ "BIG ISLAND", 3, GEO_HAWAII },
	{ "HAWAII ISLAND", 3, GEO_HAWAII },
	{ "ISLAND OF HAWAII", 3, GEO_HAWAII },
	{ "HAWAII COUNTY", 3, GEO_HAWAII },
	{ "KONA", 3, GEO_HAWAII },
	{ "KOHALA", 3, GEO_HAWAII },
	{ "WAIKOLOA VILLAGE", 3, GEO_HAWAII },
	{ "MAUNA LANI", 3, GEO_HAWAII },
	{ "MAUNA KEA", 3, GEO_HAWAII },
	{ "PUAKO", 3, GEO_HAWAII },
	{ "KEAUHOU", 3, GEO_HAWAII },
	{ "KAILUA KONA", 3, GEO_HAWAII },
	{ "PUNA", 3, GEO_HAWAII },
	{ "KAU", 3, GEO_HAWAII },
	{ "HAMAKUA", 3, GEO_HAWAII },
	{ "KAUAI", 4, GEO_KAUAI },
	{ "POIPU", 4, GEO_KAUAI },
	{ "WAILUA", 4, GEO_KAUAI },
	{ "NIIHAU", 4, GEO_NIIHAU },
	{ "WAIMEA", 0, GEO_ISLAND_UNKNOWN }, /* Kauai town and Kamuela on Hawaii */
};

const char *geo_island_name(enum geo_island island)
{
	switch (island) {
	case GEO_ISLAND_UNKNOWN: return "";
	case GEO_OAHU: return "Oahu";
	case GEO_MAUI: return "Maui";
	case GEO_MOLOKAI: return "Molokai";
	case GEO_LANAI: return "Lanai";
	case GEO_KAHOOLAWE: return "Kahoolawe";
	case GEO_HAWAII: return "Hawaii";
	case GEO_KAUAI: return "Kauai";
	case GEO_NIIHAU: return "Niihau";
	}
	return "";
}

const char *geo_county_name(int county)
{
	switch (county) {
	case 1: return "Honolulu";
	case 2: return "Maui";
	case 3: return "Hawaii";
	case 4: return "Kauai";
	}
	return "";
}

int geo_island_county(enum geo_island island)
{
	switch (island) {
	case GEO_OAHU: return 1;
	case GEO_MAUI: case GEO_MOLOKAI: case GEO_LANAI: case GEO_KAHOOLAWE: return 2;
	case GEO_HAWAII: return 3;
	case GEO_KAUAI: case GEO_NIIHAU: return 4;
	case GEO_ISLAND_UNKNOWN: break;
	}
	return 0;
}

enum geo_island geo_island_parse(const char *name)
{
	struct geo_place gp;

	for (int k = GEO_OAHU; k <= GEO_NIIHAU; k++)
		if (!strcasecmp(name, geo_island_name((enum geo_island)k)))
			return (enum geo_island)k; /* "Hawaii": the island, not the state */
	if (geo_hi_place(name, strlen(name), &gp) == 0)
		return gp.island;
	return GEO_ISLAND_UNKNOWN;
}

enum geo_island geo_tmk_island(int county, int zone, int section)
{
	switch (county) {
	case 1:
		return GEO_OAHU;
	case 3:
		return GEO_HAWAII;
	case 2:
		/* Maui County's zones (TMK.md): 5 Molokai, 6 Kalaupapa (Molokai),
		 * 4-9 Lanai, the rest of 1-4 the island of Maui */
		if (zone == 5 || zone == 6)
			return GEO_MOLOKAI;
		if (zone == 4 && section == 9)
			return GEO_LANAI;
		if (zone >= 1 && zone <= 4)
			return GEO_MAUI;
		return GEO_ISLAND_UNKNOWN;
	case 4:
		/* Kauai County: Niihau lies in zone 1 section 1 (Waimea), with Kauai land */
		return zone == 1 && section == 1 ? GEO_ISLAND_UNKNOWN : GEO_KAUAI;
	default:
		return GEO_ISLAND_UNKNOWN;
	}
}

int geo_hi_zip(const char *zip, size_t len, struct geo_place *out)
{
	size_t i = 0, lo, hi;
	int v = 0;

	while (i < len && zip[i] == ' ')
		i++;
	if (len - i < 5)
		return -1;
	for (; len && zip[len - 1] == ' '; len--)
		;
	{
		size_t j;

		for (j = 0; j < 5; j++) {
			if (zip[i + j] < '0' || zip[i + j] > '9')
				return -1;
			v = v * 10 + (zip[i + j] - '0');
		}
		/* a ZIP+4 tail: "-1234" or " 1234"; nothing else */
		j = i + 5;
		if (j < len) {
			size_t k;

			if ((zip[j] != '-' && zip[j] != ' ') || len - j != 5)
				return -1;
			for (k = j + 1; k < len; k++)
				if (zip[k] < '0' || zip[k] > '9')
					return -1;
		}
	}
	if (v >= HNL_FIRST && v <= HNL_LAST) {
		out->county = 1;
		out->island = GEO_OAHU;
		out->name = "HONOLULU";
		return 0;
	}
	lo = 0;
	hi = sizeof(zips) / sizeof(zips[0]);
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (zips[mid].zip == v) {
			out->island = zips[mid].island;
			out->county = geo_island_county(zips[mid].island);
			out->name = zips[mid].name;
			return 0;
		}
		if (zips[mid].zip < v)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

int geo_hi_place(const char *name, size_t len, struct geo_place *out)
{
	char f[64];
	int n;
	size_t i, j;
	int found = -1;

	n = textfold(name, len, "", f, sizeof(f));
	if (n <= 0 || (size_t)n >= sizeof(f) - 1)
		return -1;
	/* a trailing ", HI" or " HAWAII" state is not part of the place */
	for (i = 0; i < sizeof(places) / sizeof(places[0]); i++) {
		if (strcmp(places[i].name, f) == 0) {
			if (!places[i].county)
				return -1;
			out->county = places[i].county;
			out->island = places[i].island;
			out->name = places[i].name;
			return 0;
		}
	}
	for (j = 0; j < sizeof(zips) / sizeof(zips[0]); j++) {
		if (strcmp(zips[j].name, f) == 0) {
			if (found >= 0 && zips[found].island != zips[j].island)
				return -1;
			found = (int)j;
		}
	}
	if (found < 0)
		return -1;
	out->island = zips[found].island;
	out->county = geo_island_county(zips[found].island);
	out->name = zips[found].name;
	return 0;
}

int geo_is_hawaii_state(const char *s, size_t len)
{
	char f[32];
	int n = textfold(s, len, "", f, sizeof(f));

	if (n <= 0)
		return n < 0 ? 0 : -1;
	return strcmp(f, "HI") == 0 || strcmp(f, "HAWAII") == 0 || strcmp(f, "H I") == 0;
}
