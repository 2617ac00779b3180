#include "normalize.h"
#include "address.h"
#include "exitcode.h"
#include "owner.h"
#include "taxid.h"
#include "textfold.h"

#include <errno.h>
#include <string.h>

#include "banned.h"

enum norm_kind norm_kind_parse(const char *s)
{
	if (!strcmp(s, "tmk"))
		return NORM_TMK;
	if (!strcmp(s, "ids"))
		return NORM_IDS;
	if (!strcmp(s, "address"))
		return NORM_ADDRESS;
	if (!strcmp(s, "owner"))
		return NORM_OWNER;
	return 0;
}

int norm_error_line(const char *reason, struct strbuf *out)
{
	if (strbuf_addstr(out, "ERROR\t") < 0 || strbuf_addstr(out, reason) < 0)
		return -1;
	return 0;
}

/* A field: "-" when empty. */
static int field(struct strbuf *out, const char *s, int tab)
{
	if (tab && strbuf_addch(out, '\t') < 0)
		return -1;
	return strbuf_addstr(out, *s ? s : "-");
}

static int line_tmk(const struct norm_opts *o, const char *s, size_t len, struct strbuf *out)
{
	struct tmk t[TMK_MAX_LIST];
	struct tmk_opts to;
	enum tmk_reason r;
	int n, i;
	char buf[200];

	memset(&to, 0, sizeof(to));
	to.county_hint = o->county;
	to.range = o->range;
	to.zip = o->zip;
	to.place = o->place;
	n = tmk_parse_list(s, len, &to, t, TMK_MAX_LIST, &r);
	if (n < 0)
		return norm_error_line(tmk_reason_str(r), out) < 0 ? -1 : 0;
	for (i = 0; i < n; i++)
		if ((i && strbuf_addch(out, '|') < 0) || strbuf_addstr(out, t[i].tmk13) < 0)
			return -1;
	if (strbuf_addch(out, '\t') < 0)
		return -1;
	for (i = 0; i < n; i++) {
		tmk_flags_format(t[i].flags, buf, sizeof(buf));
		if ((i && strbuf_addch(out, '|') < 0) || field(out, buf, 0) < 0)
			return -1;
	}
	if (strbuf_addch(out, '\t') < 0)
		return -1;
	for (i = 0; i < n; i++) {
		tmk_display(&t[i], buf, sizeof(buf));
		if ((i && strbuf_addch(out, '|') < 0) || strbuf_addstr(out, buf) < 0)
			return -1;
	}
	return 1;
}

static int line_ids(const struct norm_opts *o, const char *s, size_t len, struct strbuf *out)
{
	struct taxid_hit h[32];
	struct tmk_opts to;
	size_t n, i;

	memset(&to, 0, sizeof(to));
	to.county_hint = o->county;
	n = taxid_extract(s, len, &to, h, 32);
	if (!n)
		return strbuf_addch(out, '-') < 0 ? -1 : 1;
	for (i = 0; i < n && i < 32; i++)
		if ((i && strbuf_addch(out, '|') < 0) ||
		    strbuf_addf(out, "%s:%s", taxid_kind_name(h[i].kind), h[i].id) < 0)
			return -1;
	if (n > 32 && strbuf_addf(out, "|more:%zu", n - 32) < 0)
		return -1;
	return 1;
}

static int line_address(const char *s, size_t len, struct strbuf *out)
{
	struct addr a;
	enum addr_reason r;
	char county[2] = { 0, 0 };

	if (addr_normalize(s, len, &a, &r) < 0)
		return norm_error_line(addr_reason_str(r), out) < 0 ? -1 : 0;
	if (a.county)
		county[0] = (char)('0' + a.county);
	if (field(out, a.key, 0) < 0 || field(out, a.house, 1) < 0 || field(out, a.street, 1) < 0 ||
	    field(out, a.unit, 1) < 0 || field(out, a.city, 1) < 0 || field(out, a.state, 1) < 0 ||
	    field(out, a.zip, 1) < 0 || field(out, county, 1) < 0 ||
	    field(out, geo_island_name(a.island), 1) < 0)
		return -1;
	return 1;
}

static int line_owner(const struct norm_opts *o, const char *s, size_t len, struct strbuf *out)
{
	struct owner ow;
	enum owner_reason r;
	const char *tab = memchr(s, '\t', len);
	size_t nlen = tab ? (size_t)(tab - s) : len;
	const char *abs = "-";
	char flags[128];

	if (owner_normalize(s, nlen, &ow, &r) < 0)
		return norm_error_line(owner_reason_str(r), out) < 0 ? -1 : 0;
	if (tab) {
		struct addr a;

		if (addr_normalize(tab + 1, len - nlen - 1, &a, NULL) == 0)
			abs = owner_absentee_name(owner_absentee(&a, o->island, o->county));
		else
			abs = owner_absentee_name(OWNER_ABS_UNKNOWN);
	}
	owner_flags_format(ow.flags, flags, sizeof(flags));
	if (field(out, owner_kind_name(ow.kind), 0) < 0 || field(out, ow.key, 1) < 0 ||
	    field(out, ow.display, 1) < 0 || field(out, flags, 1) < 0 ||
	    field(out, ow.care_of, 1) < 0 || field(out, abs, 1) < 0)
		return -1;
	return 1;
}

int norm_line(const struct norm_opts *o, const char *s, size_t len, struct strbuf *out)
{
	size_t a = 0, b = len;

	/* blank lines are empty values; bytes that are not UTF-8 are refused here,
	 * once, so that every kind answers them the same way */
	while (a < b && (s[a] == ' ' || s[a] == '\t' || s[a] == '\r'))
		a++;
	while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\r'))
		b--;
	if (a == b)
		return norm_error_line("empty", out) < 0 ? -1 : 0;
	if (!textfold_valid_utf8(s, len))
		return norm_error_line("invalid utf-8", out) < 0 ? -1 : 0;
	if (memchr(s, '\0', len))
		return norm_error_line("nul byte", out) < 0 ? -1 : 0;
	switch (o->kind) {
	case NORM_TMK: return line_tmk(o, s, len, out);
	case NORM_IDS: return line_ids(o, s, len, out);
	case NORM_ADDRESS: return line_address(s, len, out);
	case NORM_OWNER: return line_owner(o, s, len, out);
	}
	return norm_error_line("unknown kind", out) < 0 ? -1 : 0;
}

int norm_stream(const struct norm_opts *o, FILE *in, FILE *out, size_t *lines,
		size_t *errors, struct mi_err *err)
{
	struct strbuf line, res;
	int ret = 0, g;

	strbuf_init(&line, NORM_MAX_LINE);
	strbuf_init(&res, 0);
	*lines = *errors = 0;
	for (;;) {
		int v;

		g = strbuf_getline(&line, in);
		if (g == 0)
			break;
		strbuf_reset(&res);
		if (g < 0 && !line.toobig) {
			ret = mi_err_set(err, MI_EXIT_IO, "cannot read standard input: %s",
					 strerror(errno));
			goto out;
		}
		if (g < 0) {
			v = norm_error_line("too long", &res) < 0 ? -1 : 0;
		} else {
			size_t l = line.len;

			if (l && line.buf[l - 1] == '\r')
				l--;
			v = norm_line(o, line.buf, l, &res);
		}
		if (v < 0) {
			ret = mi_err_set(err, MI_EXIT_INTERNAL, "out of memory");
			goto out;
		}
		(*lines)++;
		if (v == 0)
			(*errors)++;
		if (strbuf_addch(&res, '\n') < 0 || fwrite(res.buf, 1, res.len, out) != res.len) {
			ret = mi_err_set(err, MI_EXIT_IO, "cannot write standard output: %s",
					 strerror(errno));
			goto out;
		}
	}
out:
	strbuf_release(&line);
	strbuf_release(&res);
	return ret;
}
