#include "suppression_list.h"

#include "csvread.h"
#include "exitcode.h"
#include "strbuf.h"

#include <string.h>

#include "banned.h"

enum { C_OWNER, C_STREET, C_UNIT, C_CITY, C_STATE, C_ZIP, C_REASON, C_N };

static const char *const names[C_N][5] = {
	[C_OWNER] = { "owner", "owner_name", "name", NULL },
	[C_STREET] = { "address", "mailing_address", "street", "address1", NULL },
	[C_UNIT] = { "unit", "address2", NULL },
	[C_CITY] = { "city", NULL },
	[C_STATE] = { "state", NULL },
	[C_ZIP] = { "zip", "zip_code", "zipcode", "postal_code", NULL },
	[C_REASON] = { "reason", "note", NULL },
};

struct reader {
	const char *name;
	suppression_row_fn fn;
	void *data;
	int col[C_N];
	int have_header;
	long long rows;
	struct strbuf street;
};

static const char *field(const struct csvr_row *row, int i)
{
	size_t len;
	const char *f;

	if (i < 0)
		return "";
	f = csvr_field(row, i, &len);
	return f ? f : "";
}

static int on_row(void *data, const struct csvr_row *row, struct mi_err *err)
{
	struct reader *r = data;
	struct suppression_row out;

	if (!r->have_header) {
		for (int c = 0; c < C_N; c++) {
			r->col[c] = -1;
			for (int k = 0; names[c][k] && r->col[c] < 0; k++)
				csvr_header_map(row, &names[c][k], 1, &r->col[c]);
		}
		if (r->col[C_OWNER] < 0 && r->col[C_STREET] < 0)
			return mi_err_set(err, MI_EXIT_DATA,
					  "%s:%lld: the header names neither an owner column (owner, name) "
					  "nor an address column (address, street)", r->name, row->line);
		r->have_header = 1;
		return 0;
	}
	memset(&out, 0, sizeof(out));
	out.line = row->line;
	r->rows++;
	if (row->flags) {
		out.owner = out.street = out.city = out.state = out.zip = out.reason = "";
		out.bad = row->why ? row->why : csvr_flag_reason(row->flags);
		return r->fn(r->data, &out, err);
	}
	strbuf_reset(&r->street);
	if (strbuf_addstr(&r->street, field(row, r->col[C_STREET])) < 0 ||
	    (*field(row, r->col[C_UNIT]) &&
	     (strbuf_addstr(&r->street, " #") < 0 ||
	      strbuf_addstr(&r->street, field(row, r->col[C_UNIT])) < 0))) {
		out.owner = out.street = out.city = out.state = out.zip = out.reason = "";
		out.bad = "the address is too long";
		return r->fn(r->data, &out, err);
	}
	out.owner = field(row, r->col[C_OWNER]);
	out.street = r->street.buf;
	out.city = field(row, r->col[C_CITY]);
	out.state = field(row, r->col[C_STATE]);
	out.zip = field(row, r->col[C_ZIP]);
	out.reason = field(row, r->col[C_REASON]);
	return r->fn(r->data, &out, err);
}

long long suppression_list_read(FILE *in, const char *name, suppression_row_fn fn, void *data,
				struct mi_err *err)
{
	struct reader r = { name, fn, data, { 0 }, 0, 0, STRBUF_INIT };
	/* a header: a stray quote costs its own row, not the rows after it */
	struct csvr_opts o = { .max_field = 64 * 1024, .max_record = 256 * 1024,
			       .max_fields = 256, .header = 1 };
	int rc;

	strbuf_init(&r.street, 4096);
	rc = csvr_read(in, name, &o, on_row, &r, NULL, err);
	strbuf_release(&r.street);
	if (rc < 0)
		return -1;
	if (!r.have_header) {
		mi_err_set(err, MI_EXIT_DATA, "%s: empty file: no header line", name);
		return -1;
	}
	return r.rows;
}
