/*
 * Maui County RPT "Sales Data File" (sales.csv): an Oracle spool, not a CSV.
 * Layout: ../shared/formats/maui_rpt_sales_layout.txt.
 *
 * Each header line ("PARID            ,SALEDATE  ,...") gives the column
 * starts: a column begins after the previous column's comma, and every value
 * ends with a trailing comma; values may hold commas themselves, so lines
 * are cut by position, never split on commas.  Without a header the
 * documented starts are used.  Header lines repeat (every 32,999 lines),
 * dash rulers and blank lines are skipped; the "N rows selected." footer
 * must match the number of data rows (else the file fails: it was cut or
 * damaged), and a file without it gets one reject saying so.
 *
 * Bytes are windows-1252 (a value that is valid UTF-8 already is kept).
 * PARID is 12 digits without the county digit: county 2 is added.  The
 * 1900/01/01 sale date is a placeholder (NULL, flag), document numbers
 * 0000000000 / 0 / - are placeholders (NULL, flag), a price equal to the
 * conveyance tax marks a route slip or similar (flag), a tax above the
 * price marks a likely price/tax transposition (flag).  Multi-parcel deeds
 * repeat price and tax on every parcel row: they are kept as rows (one per
 * parcel), grouped downstream by doc_no / land_court_no.
 */
#include "exitcode.h"
#include "parser.h"
#include "strbuf.h"
#include "tabular.h"
#include "tmk.h"
#include "value.h"

#include <openssl/evp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "banned.h"

#define MAX_LINE (64 * 1024)
#define MAX_COLS 32

enum {
	M_PARID, M_SALEDATE, M_PRICE, M_RECORDDATE, M_INSTRUNO, M_INSTRUTYPE, M_LANDCOURT,
	M_CERT, M_BOOK, M_PAGE, M_CONVTAX, M_DOCTYPE, M_VALCODE, M_SA, M_SALETYP, M__N
};
static const char *const col_names[M__N] = {
	"PARID", "SALEDATE", "PRICE", "RECORDDATE", "INSTRUNO", "INSTRUTYPE", "LANDCOURT_NO",
	"CERT_NO", "BOOK", "PAGE", "CONV_TAX", "DOC_TYPE", "VALCODE", "SA", "SALETYP",
};
/* 0-based starts from the layout file, in the order above */
static const int default_start[M__N] = {
	0, 18, 29, 40, 51, 72, 113, 154, 195, 204, 213, 254, 295, 336, 339,
};

struct maui {
	struct parse_ctx *ctx;
	struct tab_row row;
	struct strbuf line, conv, key, flags;
	int start[MAX_COLS]; /* column starts of the current layout */
	int ncols;
	int map[M__N];       /* layout column of each field, -1 absent */
	long long lineno, offset;
	int eof;
};

static void layout_default(struct maui *m)
{
	m->ncols = M__N;
	for (int i = 0; i < M__N; i++) {
		m->start[i] = default_start[i];
		m->map[i] = i;
	}
}

/* Read one line (without its LF) into m->line, keeping at most MAX_LINE bytes. */
static int read_line(struct maui *m, FILE *in, size_t *full_len)
{
	int c;
	size_t n = 0;

	strbuf_reset(&m->line);
	while ((c = getc_unlocked(in)) != EOF) {
		if (c == '\n')
			break;
		if (n < MAX_LINE)
			strbuf_addch(&m->line, c);
		n++;
	}
	*full_len = n;
	if (ferror(in))
		return -1;
	if (c == EOF && n == 0)
		return 0;
	if (c == EOF)
		m->eof = 1;
	return 1;
}

static int is_header(const char *s, size_t len)
{
	while (len && *s == ' ')
		s++, len--;
	return len >= 5 && !strncasecmp(s, "PARID", 5) && memchr(s, ',', len);
}

static void layout_from_header(struct maui *m, const char *s, size_t len)
{
	int n = 0, seen_valcode = 0;
	size_t i = 0;

	for (int k = 0; k < M__N; k++)
		m->map[k] = -1;
	while (i < len && n < MAX_COLS) {
		size_t b = i, e;
		char name[32];
		size_t nl;

		m->start[n] = (int)i;
		while (i < len && s[i] != ',')
			i++;
		e = i;
		while (b < e && s[b] == ' ')
			b++;
		while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\r'))
			e--;
		nl = e - b < sizeof(name) - 1 ? e - b : sizeof(name) - 1;
		memcpy(name, s + b, nl);
		name[nl] = '\0';
		for (int k = 0; k < M__N; k++) {
			if (strcasecmp(name, col_names[k]))
				continue;
			/* the layout names the 2-character validity column VALCODE again */
			if (k == M_VALCODE && seen_valcode++)
				k = M_SA;
			if (m->map[k] < 0)
				m->map[k] = n;
			break;
		}
		n++;
		if (i < len)
			i++; /* the comma */
		if (i >= len)
			break;
	}
	m->ncols = n;
	/* a header without the second VALCODE: the column after VALCODE is it */
	if (m->map[M_SA] < 0 && m->map[M_VALCODE] >= 0 && m->map[M_VALCODE] + 1 < n &&
	    m->map[M_VALCODE] + 1 != m->map[M_SALETYP])
		m->map[M_SA] = m->map[M_VALCODE] + 1;
}

static int is_ruler(const char *s, size_t len)
{
	int dashes = 0;

	for (size_t i = 0; i < len; i++) {
		if (s[i] == '-')
			dashes++;
		else if (s[i] != ' ' && s[i] != ',' && s[i] != '\r')
			return 0;
	}
	return dashes > 0;
}

static int is_blank(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\r' && s[i] != '\t')
			return 0;
	return 1;
}

/* "520135 rows selected." */
static int is_footer(const char *s, size_t len)
{
	size_t i = 0;

	while (i < len && s[i] == ' ')
		i++;
	if (i == len || s[i] < '0' || s[i] > '9')
		return 0;
	while (i < len && s[i] >= '0' && s[i] <= '9')
		i++;
	return len - i >= 9 && (!strncmp(s + i, " rows selected", 14) ||
				!strncmp(s + i, " row selected", 13));
}

/* The raw bytes of field k (trimmed, trailing comma removed); NULL when absent. */
static const char *field(const struct maui *m, int k, size_t *len)
{
	int c = m->map[k];
	size_t b, e, n = m->line.len;
	const char *s = m->line.buf;

	*len = 0;
	if (c < 0 || (size_t)m->start[c] >= n)
		return NULL;
	b = (size_t)m->start[c];
	e = c + 1 < m->ncols ? (size_t)m->start[c + 1] : n;
	if (e > n)
		e = n;
	while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\r'))
		e--;
	if (e > b && s[e - 1] == ',')
		e--;
	while (e > b && s[e - 1] == ' ')
		e--;
	while (b < e && s[b] == ' ')
		b++;
	*len = e - b;
	return s + b;
}

static void add_flag(struct strbuf *sb, const char *flag)
{
	if (sb->len)
		strbuf_addch(sb, ',');
	strbuf_addstr(sb, flag);
}

static int is_doc_placeholder(const char *s, size_t len)
{
	size_t i;

	if (len == 1 && s[0] == '-')
		return 1;
	for (i = 0; i < len && s[i] == '0'; i++)
		;
	return len > 0 && i == len;
}

/* Text column k into col, via windows-1252 when needed. */
static int set_text(struct maui *m, int k, int col, int *bad)
{
	size_t len;
	const char *s = field(m, k, &len);

	if (!s || !len)
		return rec_set(&m->row.rec, col, NULL, 0);
	*bad += tab_cp1252_utf8(&m->conv, s, len);
	return tab_set_text(&m->row, col, m->conv.buf, m->conv.len);
}

static void set_hash(struct maui *m)
{
	static const int cols[] = {
		SALES_tmk, SALES_doc_no, SALES_land_court_no, SALES_cert_no, SALES_sale_date,
		SALES_record_date, SALES_price, SALES_conveyance_tax, SALES_instrument_type,
		SALES_doc_type,
	};
	const struct rec_row *r = &m->row.rec;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	char hex[65];

	strbuf_reset(&m->key);
	for (size_t i = 0; i < sizeof(cols) / sizeof(cols[0]); i++) {
		if (i)
			strbuf_addch(&m->key, '|');
		if (r->set[cols[i]])
			strbuf_add(&m->key, r->data.buf + r->start[cols[i]], r->len[cols[i]]);
	}
	if (!EVP_Digest(m->key.buf, m->key.len, md, &mdlen, EVP_sha256(), NULL))
		return;
	for (unsigned i = 0; i < mdlen && i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	hex[64] = '\0';
	rec_set(&m->row.rec, SALES_record_hash, hex, 64);
}

static int digits(const char *s, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

static int data_line(struct maui *m, struct mi_err *err)
{
	struct tab_row *t = &m->row;
	struct tmk tk;
	enum tmk_reason why = TMK_OK;
	const char *s;
	size_t len, plen, tlen;
	int64_t price = 0, tax = 0;
	int bad = 0, have_price, have_tax;
	char show[64], flags[128];

	parse_count(m->ctx);
	tab_row_start(t);
	strbuf_reset(&m->flags);
	if (memchr(m->line.buf, '\0', m->line.len))
		tab_bad(t, "NUL byte in line");

	s = field(m, M_PARID, &len);
	if (!s || !len) {
		tab_bad(t, "missing PARID");
	} else if (len == 12 && strspn(s, "0123456789") >= 12) {
		if (tmk_from_parts(2, digits(s, 1), digits(s + 1, 1), digits(s + 2, 3),
				   digits(s + 5, 3), digits(s + 8, 4), &tk, &why) < 0)
			tab_bad(t, "bad PARID '%s': %s", tab_show(s, len, show, sizeof(show)),
				tmk_reason_str(why));
	} else {
		struct tmk_opts o = { 2, NULL, NULL, TMK_RANGE_REFUSE };
		if (tmk_parse(s, len, &o, &tk, &why) < 0)
			tab_bad(t, "bad PARID '%s': %s", tab_show(s, len, show, sizeof(show)),
				tmk_reason_str(why));
		else if (tk.county != 2)
			tab_bad(t, "bad PARID '%s': not a Maui County parcel",
				tab_show(s, len, show, sizeof(show)));
	}
	if (!tab_row_bad(t)) {
		rec_set_str(&t->rec, SALES_tmk, tk.tmk13);
		tk.flags &= ~(unsigned)TMK_F_COUNTY_INFERRED;
		tmk_flags_format(tk.flags, flags, sizeof(flags));
		if (flags[0])
			add_flag(&m->flags, flags);
	}

	s = field(m, M_SALEDATE, &len);
	tab_set_date(t, SALES_sale_date, s, len);
	if (s && len && !t->rec.set[SALES_sale_date] && !tab_row_bad(t))
		add_flag(&m->flags, "sale-date-placeholder");
	s = field(m, M_RECORDDATE, &len);
	tab_set_date(t, SALES_record_date, s, len);

	s = field(m, M_PRICE, &plen);
	have_price = s && plen && value_money(s, plen, &price) == 1;
	tab_set_money(t, SALES_price, s, plen);
	s = field(m, M_CONVTAX, &tlen);
	have_tax = s && tlen && value_money(s, tlen, &tax) == 1;
	tab_set_money(t, SALES_conveyance_tax, s, tlen);
	if (have_price && price == 0)
		add_flag(&m->flags, "zero-price");
	if (have_price && have_tax && price > 0 && price == tax)
		add_flag(&m->flags, "price-equals-tax");
	else if (have_price && have_tax && tax > price)
		add_flag(&m->flags, "tax-exceeds-price");

	s = field(m, M_INSTRUNO, &len);
	if (s && len && is_doc_placeholder(s, len))
		add_flag(&m->flags, "doc-no-placeholder");
	else
		set_text(m, M_INSTRUNO, SALES_doc_no, &bad);
	s = field(m, M_LANDCOURT, &len);
	if (s && len && is_doc_placeholder(s, len))
		add_flag(&m->flags, "land-court-no-placeholder");
	else
		set_text(m, M_LANDCOURT, SALES_land_court_no, &bad);
	set_text(m, M_CERT, SALES_cert_no, &bad);
	set_text(m, M_BOOK, SALES_book, &bad);
	set_text(m, M_PAGE, SALES_page, &bad);
	set_text(m, M_INSTRUTYPE, SALES_instrument_type, &bad);
	set_text(m, M_DOCTYPE, SALES_doc_type, &bad);
	/* validity: the 2-character "SA" code (0 valid, 4 related, 8 developer), else VALCODE */
	s = field(m, M_SA, &len);
	if (s && len)
		set_text(m, M_SA, SALES_validity_code, &bad);
	else
		set_text(m, M_VALCODE, SALES_validity_code, &bad);
	set_text(m, M_SALETYP, SALES_sale_type, &bad);
	if (bad)
		add_flag(&m->flags, "undefined-byte");
	rec_set(&t->rec, SALES_flags, m->flags.len ? m->flags.buf : NULL, m->flags.len);
	set_hash(m);

	if (tab_row_bad(t))
		return parse_reject(m->ctx, m->lineno, m->offset, NULL, t->why, m->line.buf,
				    m->line.len, err);
	return parse_emit(m->ctx, &t->rec, m->lineno, m->offset, NULL, err);
}

static int parse_maui(struct parse_ctx *ctx, FILE *in, struct mi_err *err)
{
	struct maui m;
	size_t full;
	int rc, ret = -1, lines = 0;
	long long rows = 0, footer = -1, footer_line = 0;

	memset(&m, 0, sizeof(m));
	m.ctx = ctx;
	tab_row_init(&m.row, REC_E_SALES);
	strbuf_init(&m.line, 0);
	strbuf_init(&m.conv, 0);
	strbuf_init(&m.key, 0);
	strbuf_init(&m.flags, 0);
	layout_default(&m);
	while ((rc = read_line(&m, in, &full)) > 0) {
		const char *s = m.line.buf;
		size_t len = m.line.len;

		m.lineno++;
		lines++;
		if (m.lineno == 1 && len >= 3 && !memcmp(s, "\xEF\xBB\xBF", 3)) {
			s += 3;
			len -= 3;
			memmove(m.line.buf, s, len);
			strbuf_setlen(&m.line, len);
			s = m.line.buf;
		}
		if (full > MAX_LINE) {
			parse_count(ctx);
			if (parse_reject(ctx, m.lineno, m.offset, NULL,
					 "line too long for a sales record", s, len, err) < 0)
				goto out;
		} else if (is_header(s, len)) {
			layout_from_header(&m, s, len);
			if (m.map[M_PARID] < 0 || m.map[M_SALEDATE] < 0 || m.map[M_PRICE] < 0)
				layout_default(&m);
		} else if (is_footer(s, len)) {
			footer = strtoll(s, NULL, 10);
			footer_line = m.lineno;
		} else if (!is_blank(s, len) && !is_ruler(s, len)) {
			rows++;
			if (data_line(&m, err) < 0)
				goto out;
		}
		m.offset += (long long)full + (m.eof ? 0 : 1);
	}
	if (rc < 0) {
		mi_err_set(err, MI_EXIT_DATA, "cannot read '%s': input ends early or is corrupt",
			   ctx->file);
		mi_err_at(err, ctx->file, (long)m.lineno + 1, m.offset);
		parse_reject(ctx, m.lineno + 1, m.offset, NULL, err->msg, NULL, 0, NULL);
		goto out;
	}
	if (!lines) {
		tab_no_header(ctx, err);
		goto out;
	}
	/*
	 * The spool's footer counts the rows: a file that lost rows on the way
	 * (a cut download) fails here instead of loading short.  A file without
	 * a footer (not a spool, or cut) is reported as one reject.
	 */
	if (footer >= 0 && footer != rows) {
		mi_err_set(err, MI_EXIT_DATA, "'%s': the footer says %lld rows, the file has %lld",
			   ctx->file, footer, rows);
		mi_err_at(err, ctx->file, (long)footer_line, -1);
		parse_reject(ctx, footer_line, -1, NULL, err->msg, NULL, 0, NULL);
		goto out;
	}
	if (footer < 0 && parse_reject(ctx, m.lineno, -1, NULL,
				       "no 'N rows selected.' footer: the file may be cut short",
				       NULL, 0, err) < 0)
		goto out;
	ret = 0;
out:
	tab_row_release(&m.row);
	strbuf_release(&m.line);
	strbuf_release(&m.conv);
	strbuf_release(&m.key);
	strbuf_release(&m.flags);
	return ret;
}

const struct parser parser_maui_rpt_sales = {
	"maui-rpt-sales",
	"Maui County RPT sales data file (Oracle spool, windows-1252): one row per parcel",
	"sales",
	parse_maui,
};
