/*
 * The TMK reader against real strings: ../shared/realdata/tmk/real_tmks_2026-12.tsv
 * holds 206 TMK-like strings exactly as found in public records, each with its
 * canonical reading (13 digits, several joined by '|'), or NOT_TMK (a look-alike:
 * street address, tax id, permit or document number, another state's parcel id),
 * UNPARSEABLE (null, spreadsheet damage) or NEEDS_COUNTY:<12 digits> (no county and
 * no safe way to infer it).  The file is public data, not ours: it is read where it
 * is (the test is skipped when it is absent), never copied here.
 *
 * Each string is read the way the pipeline reads its kind of field, with the county
 * a real source would give (the file's county column, as mi-normalize --county):
 *  - "split-fields" rows (four numeric columns shown as field=value): tmk_from_parts;
 *  - free text that carries a TMK ("license-field", "url-key", or a field the TMK
 *    reader finds more than a TMK in, such as a listing's text): taxid_extract, as
 *    listings' license and description fields are read;
 *  - everything else: tmk_parse_list, the reader of TMK columns.
 * Required: at least 99 % of the TMK rows read exactly, and every other row refused
 * by both readers (no TMK from a look-alike, ever).
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "csvread.h"
#include "strbuf.h"
#include "taxid.h"
#include "tmk.h"

#include "banned.h"

#define REALDATA "../shared/realdata/tmk/real_tmks_2026-12.tsv"

struct tally {
	int header, rows, tmks, exact, looks, refused;
	struct strbuf misses;
};

/* The TMKs taxid_extract finds in text, '|'-joined, into out. */
static void free_text(const char *s, const struct tmk_opts *o, struct strbuf *out)
{
	struct taxid_hit h[32];
	size_t n = taxid_extract(s, strlen(s), o, h, 32);

	for (size_t i = 0; i < n && i < 32; i++) {
		if (h[i].kind != TAXID_TMK)
			continue;
		if (out->len)
			strbuf_addch(out, '|');
		strbuf_addstr(out, h[i].tmk.tmk13);
	}
}

/* The TMKs tmk_parse_list reads, '|'-joined, into out; its verdict in *why. */
static void tmk_field(const char *s, const struct tmk_opts *o, struct strbuf *out,
		      enum tmk_reason *why)
{
	struct tmk t[TMK_MAX_LIST];
	int n = tmk_parse_list(s, strlen(s), o, t, TMK_MAX_LIST, why);

	for (int i = 0; i < n; i++) {
		if (out->len)
			strbuf_addch(out, '|');
		strbuf_addstr(out, t[i].tmk13);
	}
}

static int row(void *data, const struct csvr_row *r, struct mi_err *err)
{
	struct tally *t = data;
	struct strbuf raw = STRBUF_INIT, canon = STRBUF_INIT, note = STRBUF_INIT;
	struct strbuf got = STRBUF_INIT, other = STRBUF_INIT;
	struct tmk_opts o = { 0, NULL, NULL, TMK_RANGE_REFUSE };
	enum tmk_reason why = TMK_OK;

	(void)err;
	if (!t->header++)
		return 0; /* the header line */
	cr_assert_geq(r->nfields, 10, "line %lld: %d fields", r->line, r->nfields);
	strbuf_add(&raw, r->f[0], r->len[0]);
	strbuf_add(&canon, r->f[1], r->len[1]);
	strbuf_add(&note, r->f[9], r->len[9]);
	if (r->len[2])
		o.county_hint = atoi(r->f[2]);
	t->rows++;

	if (strstr(note.buf, "form=split-fields")) {
		int z, s, p, q;
		struct tmk k;

		if (sscanf(raw.buf, "tmkzone=%d;tmksection=%d;tmkplat=%d;tmkparcel=%d", &z, &s, &p,
			   &q) == 4 &&
		    tmk_from_parts(o.county_hint, z, s, p, q, -1, &k, &why) == 0)
			strbuf_addstr(&got, k.tmk13);
	} else if (strstr(note.buf, "form=license-field") || strstr(note.buf, "form=url-key")) {
		free_text(raw.buf, &o, &got);
	} else {
		tmk_field(raw.buf, &o, &got, &why);
		if (!got.len && (why == TMK_E_SYNTAX || why == TMK_E_UNEXPECTED_TEXT))
			free_text(raw.buf, &o, &got); /* more than a TMK: text that carries one */
	}

	if (canon.buf[0] >= '0' && canon.buf[0] <= '9') {
		t->tmks++;
		if (!strcmp(got.buf, canon.buf))
			t->exact++;
		else
			strbuf_addf(&t->misses, "  line %lld: '%s' read as '%s' (%s), want %s\n", r->line,
				    raw.buf, got.buf, got.len ? "tmk" : tmk_reason_str(why), canon.buf);
	} else {
		/* a look-alike: neither reader may see a TMK in it */
		t->looks++;
		tmk_field(raw.buf, &o, &other, &why);
		free_text(raw.buf, &o, &other);
		if (!got.len && !other.len)
			t->refused++;
		else
			strbuf_addf(&t->misses, "  line %lld: look-alike '%s' (%s) read as a TMK: %s%s%s\n",
				    r->line, raw.buf, canon.buf, got.buf, got.len ? " " : "", other.buf);
	}
	strbuf_release(&raw);
	strbuf_release(&canon);
	strbuf_release(&note);
	strbuf_release(&got);
	strbuf_release(&other);
	return 0;
}

Test(tmk_realdata, real_strings_read_exactly_and_look_alikes_refused)
{
	struct csvr_opts opts = { .delim = '\t' };
	struct mi_err err = MI_ERR_INIT;
	struct tally t;
	FILE *fp;

	if (access(REALDATA, R_OK) != 0)
		cr_skip_test(REALDATA " is absent: skipped");
	memset(&t, 0, sizeof(t));
	strbuf_init(&t.misses, 0);
	fp = fopen(REALDATA, "r");
	cr_assert_not_null(fp);
	cr_assert_eq(csvr_read(fp, REALDATA, &opts, row, &t, NULL, &err), 0, "%s", err.msg);
	fclose(fp);
	cr_log_info("%d strings: %d TMKs, %d read exactly (%.1f%%); %d look-alikes, %d refused\n%s",
		    t.rows, t.tmks, t.exact, t.tmks ? 100.0 * t.exact / t.tmks : 0, t.looks,
		    t.refused, t.misses.buf);
	cr_expect_geq(t.rows, 200, "only %d rows read", t.rows);
	cr_expect_geq(t.exact * 100, t.tmks * 99, "%d of %d TMKs read exactly, under 99%%:\n%s",
		      t.exact, t.tmks, t.misses.buf);
	cr_expect_eq(t.refused, t.looks, "%d of %d look-alikes read as TMKs:\n%s",
		     t.looks - t.refused, t.looks, t.misses.buf);
	strbuf_release(&t.misses);
}
