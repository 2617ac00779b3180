/*
 * fieldmap: value conversions, regex post-processing, maps read from config
 * and the free-text id extraction the tree formats share.
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "err.h"
#include "fieldmap.h"
#include "records.h"
#include "strbuf.h"

#include "banned.h"

static const char *col(const struct rec_row *r, int c, char *buf, size_t size)
{
	if (!r->set[c])
		return "(unset)";
	snprintf(buf, size, "%.*s", (int)r->len[c], r->data.buf + r->start[c]);
	return buf;
}

/* Write text to a temporary INI file and load it. */
static int load_ini(struct mi_config *cfg, const char *text, struct mi_err *err)
{
	char path[] = "/tmp/mi-fieldmap-XXXXXX";
	int fd = mkstemp(path), rc;
	FILE *fp = fd >= 0 ? fdopen(fd, "w") : NULL;

	cr_assert(fp != NULL);
	fputs(text, fp);
	fclose(fp);
	rc = mi_config_load(cfg, path, err);
	unlink(path);
	return rc;
}

Test(fieldmap, money)
{
	long long c = 0;

	cr_assert_eq(fm_parse_money("$1,379.00", 9, &c), 0);
	cr_assert_eq(c, 137900);
	cr_assert_eq(fm_parse_money(" USD 250 ", 9, &c), 0);
	cr_assert_eq(c, 25000);
	cr_assert_eq(fm_parse_money("289", 3, &c), 0);
	cr_assert_eq(c, 28900);
	cr_assert_eq(fm_parse_money("$2,89O", 6, &c), -1);
	cr_assert_eq(fm_parse_money("call", 4, &c), -1);
	cr_assert_eq(fm_parse_money("", 0, &c), -1);
}

Test(fieldmap, dates)
{
	char d[11];

	cr_assert_eq(fm_parse_date("03/15/2021", 10, d), 0);
	cr_assert_str_eq(d, "2021-03-15");
	cr_assert_eq(fm_parse_date("2026-10-02 18:22:41", 19, d), 0);
	cr_assert_str_eq(d, "2026-10-02");
	cr_assert_eq(fm_parse_date("2026-12-32", 10, d), -1);
	cr_assert_eq(fm_parse_date("02/30/2001", 10, d), -1);
	cr_assert_eq(fm_parse_date("12/10/2026 late", 15, d), -1);
}

Test(fieldmap, booleans)
{
	int v = -1;

	cr_assert_eq(fm_parse_bool("t", 1, &v), 0);
	cr_assert_eq(v, 1);
	cr_assert_eq(fm_parse_bool("Blocked", 7, &v), 0);
	cr_assert_eq(v, 0);
	cr_assert_eq(fm_parse_bool("available", 9, &v), 0);
	cr_assert_eq(v, 1);
	cr_assert_eq(fm_parse_bool("maybe", 5, &v), -1);
}

Test(fieldmap, typed_set_and_placeholders)
{
	struct rec_row r;
	struct fm_opts o = { 2 };
	char reason[128], b[128];

	rec_row_init(&r, &rec_entities[REC_E_SALES], 0);
	cr_assert_eq(fm_set_typed(&r, SALES_sale_date, FM_DATE, "1900/01/01", 10, &o, reason,
				  sizeof(reason)), 0);
	cr_assert(!r.set[SALES_sale_date], "the 1900/01/01 placeholder is NULL");
	cr_assert_eq(fm_set_typed(&r, SALES_price, FM_MONEY, "$865,000", 8, &o, reason,
				  sizeof(reason)), 0);
	cr_assert_str_eq(col(&r, SALES_price, b, sizeof(b)), "865000.00");
	cr_assert_eq(fm_set_typed(&r, SALES_tmk, FM_TMK, "390010580012", 12, &o, reason,
				  sizeof(reason)), 0);
	cr_assert_str_eq(col(&r, SALES_tmk, b, sizeof(b)), "2390010580012");
	cr_assert_eq(fm_set_typed(&r, SALES_tmk, FM_TMK, "41-717 Kakaina St", 17, &o, reason,
				  sizeof(reason)), -1);
	cr_assert(strstr(reason, "bad tmk") != NULL, "reason: %s", reason);
	cr_assert_eq(fm_set_typed(&r, SALES_grantor, FM_TEXT, "  SMITH,\n  JOHN   A ", 20, &o,
				  reason, sizeof(reason)), 0);
	cr_assert_str_eq(col(&r, SALES_grantor, b, sizeof(b)), "SMITH, JOHN A");
	cr_assert_eq(fm_set_typed(&r, SALES_grantee, FM_TEXT, "bad \xff byte", 10, &o, reason,
				  sizeof(reason)), -1);
	rec_row_release(&r);
}

Test(fieldmap, listing_types_from_columns)
{
	const struct rec_entity *e = &rec_entities[REC_E_LISTINGS];

	cr_assert_eq(fm_type_for_column(e, LISTINGS_nightly_price), FM_MONEY);
	cr_assert_eq(fm_type_for_column(e, LISTINGS_bedrooms), FM_INT);
	cr_assert_eq(fm_type_for_column(e, LISTINGS_lat), FM_DOUBLE);
	cr_assert_eq(fm_type_for_column(e, LISTINGS_tmk), FM_TMK);
	cr_assert_eq(fm_type_for_column(e, LISTINGS_tat_ids), FM_TAXIDS);
	cr_assert_eq(fm_type_for_column(e, LISTINGS_self_managed), FM_BOOL);
	cr_assert_eq(fm_type_for_column(e, LISTINGS_extra), FM_JSON);
	cr_assert_eq(fm_type_for_column(e, LISTINGS_name), FM_TEXT);
}

Test(fieldmap, map_with_regex_and_required)
{
	struct mi_config cfg = MI_CONFIG_INIT;
	struct mi_err err = MI_ERR_INIT;
	struct fm_map m;
	const struct fm_field *f;
	const char *out;
	size_t n;
	static const char *const reserved[] = { "xpath", NULL };

	cr_assert_eq(load_ini(&cfg,
			      "[listings]\n"
			      "xpath = //div\n"
			      "listing_id = @id\n"
			      "nightly_price = .//span\n"
			      "nightly_price.regex = \\$([0-9,.]+)\n"
			      "bedrooms = .//b\n"
			      "bedrooms.type = text\n"
			      "required = listing_id\n",
			      &err), 0, "%s", err.msg);
	cr_assert_eq(fm_map_load(&m, &cfg, "listings", &rec_entities[REC_E_LISTINGS], reserved,
				 &err), 0, "%s", err.msg);
	cr_assert_eq(m.n, 3);
	f = fm_map_field(&m, "nightly_price");
	cr_assert(f && f->type == FM_MONEY);
	cr_assert_eq(fm_apply_regex(f, "from $1,379.00 / night", 22, &out, &n), 1);
	cr_assert_eq(n, 8);
	cr_assert(!memcmp(out, "1,379.00", 8));
	cr_assert_eq(fm_apply_regex(f, "Call for rates", 14, &out, &n), 0);
	cr_assert(fm_map_field(&m, "listing_id")->required);
	cr_assert_eq(fm_map_field(&m, "bedrooms")->type, FM_TEXT);
	fm_map_release(&m);
	mi_config_release(&cfg);
}

Test(fieldmap, map_errors_name_file_and_line)
{
	struct mi_config cfg = MI_CONFIG_INIT;
	struct mi_err err = MI_ERR_INIT;
	struct fm_map m;

	cr_assert_eq(load_ini(&cfg, "[listings]\nlisting_id = @id\nnightly_prize = .//span\n", &err),
		     0);
	cr_assert_eq(fm_map_load(&m, &cfg, "listings", &rec_entities[REC_E_LISTINGS], NULL, &err),
		     -1);
	cr_assert(strstr(err.msg, ":3: unknown column 'nightly_prize' for entity 'listings'"),
		  "%s", err.msg);
	fm_map_release(&m);
	mi_config_release(&cfg);

	mi_err_clear(&err);
	cr_assert_eq(load_ini(&cfg, "[listings]\nname = h3\nname.regex = ([a-z\n", &err), 0);
	cr_assert_eq(fm_map_load(&m, &cfg, "listings", &rec_entities[REC_E_LISTINGS], NULL, &err),
		     -1);
	cr_assert(strstr(err.msg, ":3: bad regex at offset"), "%s", err.msg);
	fm_map_release(&m);
	mi_config_release(&cfg);

	mi_err_clear(&err);
	cr_assert_eq(load_ini(&cfg, "[listings]\nname = h3\nrequired = name, url\n", &err), 0);
	cr_assert_eq(fm_map_load(&m, &cfg, "listings", &rec_entities[REC_E_LISTINGS], NULL, &err),
		     -1);
	cr_assert(strstr(err.msg, "required column 'url' is not mapped"), "%s", err.msg);
	fm_map_release(&m);
	mi_config_release(&cfg);
}

Test(fieldmap, ids_from_free_text)
{
	struct strbuf ta = STRBUF_INIT, ge = STRBUF_INIT, permit = STRBUF_INIT, tmks = STRBUF_INIT;
	const char *t = "Hawaii TA Tax #: TA-115-074-2528-01, GE-115-074-2528-01. "
			"Permit STKM-2019-0034. TMK (2) 3-9-001:058-0012. again ta-115-074-2528-01";

	cr_assert_geq(fm_extract_ids(t, strlen(t), 2, &ta, &ge, &permit, &tmks), 4);
	cr_assert_str_eq(ta.buf, "TA-115-074-2528-01");
	cr_assert_str_eq(ge.buf, "GE-115-074-2528-01");
	cr_assert_str_eq(permit.buf, "STKM-2019-0034");
	cr_assert_str_eq(tmks.buf, "2390010580012");
	strbuf_release(&ta);
	strbuf_release(&ge);
	strbuf_release(&permit);
	strbuf_release(&tmks);
}

Test(fieldmap, json_quote_and_clean_text)
{
	struct strbuf sb = STRBUF_INIT;

	fm_json_quote(&sb, "a\"b\\c\n", 6);
	cr_assert_str_eq(sb.buf, "\"a\\\"b\\\\c\\u000a\"");
	strbuf_reset(&sb);
	{
		const char *t = " \t Kīhei\xc2\xa0 HI \n 96753 ";
		fm_add_clean_text(&sb, t, strlen(t));
	}
	cr_assert_str_eq(sb.buf, "Kīhei HI 96753");
	strbuf_release(&sb);
}
