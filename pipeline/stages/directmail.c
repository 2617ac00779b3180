#include "directmail.h"

#include "address.h"
#include "exitcode.h"
#include "leads.h"
#include "owner.h"
#include "pg.h"
#include "strbuf.h"

#include <stdlib.h>
#include <string.h>

#include "banned.h"

void directmail_csv_field(FILE *out, const char *s, int sep)
{
	if (sep)
		fputc(sep, out);
	if (!s)
		return;
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, out);
		return;
	}
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', out);
		fputc(*s, out);
	}
	fputc('"', out);
}

static const char *const header[] = {
	"lead_id", "owner", "care_of", "mail_street", "mail_unit", "mail_city", "mail_state",
	"mail_zip", "mail_country", "properties", "property_count", "score", "stage", "reason",
	"projection",
};

int directmail_export_csv(PGconn *conn, const struct directmail_opts *o, FILE *out,
			  struct directmail_stats *st, struct mi_err *err)
{
	static const char *const open_stages[] = { "new", "contacted", "meeting", "proposal",
						   "negotiating", "nurture", NULL };
	const char *const *stages = o->stages ? o->stages : open_stages;
	struct strbuf arr = STRBUF_INIT;
	char minscore[32];
	const char *pv[2];
	PGresult *res = NULL;
	int ret = -1;

	memset(st, 0, sizeof(*st));
	if (PQsetClientEncoding(conn, "UTF8") != 0) {
		mi_err_set(err, MI_EXIT_DATABASE, "cannot set the client encoding to UTF8: %s",
			   PQerrorMessage(conn));
		return -1;
	}
	{
		size_t n = 0;

		while (stages[n])
			n++;
		if (mi_pg_text_array(&arr, stages, n) < 0)
			goto oom;
	}
	snprintf(minscore, sizeof(minscore), "%.2f", o->min_score);
	pv[0] = arr.buf;
	pv[1] = minscore;
	res = mi_pg_query(conn,
		"SELECT b.lead_id, b.display_name, coalesce(b.care_of, ''),"
		" coalesce(b.mailing_address, ''), coalesce(b.mailing_city, ''),"
		" coalesce(b.mailing_state, ''), coalesce(b.mailing_zip, ''), b.mailing_country,"
		" concat_ws('; ', coalesce(b.best_address, b.best_tmk_display) || ' [' || b.best_tmk_display || ']',"
		"   (SELECT string_agg(coalesce(x.o ->> 'address', x.o ->> 'tmk_display')"
		"                      || ' [' || (x.o ->> 'tmk_display') || ']', '; ' ORDER BY x.i)"
		"      FROM jsonb_array_elements(b.other_properties) WITH ORDINALITY x(o, i))),"
		" b.property_count, to_char(b.queue_score, 'FM990.00'), b.stage,"
		" coalesce(b.main_reason, ''),"
		" coalesce(to_char(b.projected_net, 'FM$999,999,990') || ' net to owner over '"
		"   || (b.projection_end - b.projection_start) || ' days', '')"
		" FROM homeowner_acquisition.lead_board b"
		" WHERE NOT b.do_not_contact AND b.suppression_id IS NULL"
		"   AND coalesce(b.snoozed_until <= current_date, true)"
		"   AND b.stage = ANY ($1::text[]) AND b.queue_score >= $2::numeric"
		" ORDER BY b.queue_score DESC, b.lead_id", 2, pv, err);
	if (!res)
		goto out;
	for (size_t i = 0; i < sizeof(header) / sizeof(header[0]); i++)
		directmail_csv_field(out, header[i], i ? ',' : 0);
	fputs("\r\n", out);
	for (int r = 0; r < PQntuples(res); r++) {
		struct addr_usps u;

		if (!*PQgetvalue(res, r, 3) && !*PQgetvalue(res, r, 6)) {
			st->no_address++;
			continue;
		}
		addr_usps_format(PQgetvalue(res, r, 3), PQgetvalue(res, r, 4), PQgetvalue(res, r, 5),
				 PQgetvalue(res, r, 6), PQgetisnull(res, r, 7) ? NULL : PQgetvalue(res, r, 7),
				 &u, NULL);
		directmail_csv_field(out, PQgetvalue(res, r, 0), 0);
		directmail_csv_field(out, PQgetvalue(res, r, 1), ',');
		if (*PQgetvalue(res, r, 2)) {
			char co[512];

			snprintf(co, sizeof(co), "C/O %s", PQgetvalue(res, r, 2));
			directmail_csv_field(out, co, ',');
		} else {
			directmail_csv_field(out, "", ',');
		}
		directmail_csv_field(out, u.street, ',');
		directmail_csv_field(out, u.unit, ',');
		directmail_csv_field(out, u.city, ',');
		directmail_csv_field(out, u.state, ',');
		directmail_csv_field(out, u.zip, ',');
		directmail_csv_field(out, u.country, ',');
		for (int c = 8; c <= 13; c++)
			directmail_csv_field(out, PQgetvalue(res, r, c), ',');
		fputs("\r\n", out);
		st->rows++;
	}
	if (ferror(out)) {
		mi_err_set(err, MI_EXIT_IO, "cannot write the export");
		goto out;
	}
	ret = 0;
	goto out;
oom:
	mi_err_set(err, MI_EXIT_INTERNAL, "out of memory");
out:
	PQclear(res);
	strbuf_release(&arr);
	return ret;
}

/* ------------------------------------------------------------------ */

int directmail_suppress_begin(struct directmail_suppress *s, PGconn *conn, const char *agent,
			      const char *source, FILE *rejects, struct mi_err *err)
{
	memset(s, 0, sizeof(*s));
	s->conn = conn;
	s->agent = agent;
	s->source = source;
	s->rejects = rejects;
	if (mi_pg_begin(conn, err) < 0)
		return -1;
	/* the list matches keyed addresses: key those not keyed yet */
	if (leads_key_mailing(conn, NULL, err) < 0) {
		mi_pg_rollback(conn);
		return -1;
	}
	return 0;
}

static int nonempty(const char *s)
{
	if (!s)
		return 0;
	while (*s == ' ' || *s == '\t')
		s++;
	return *s != '\0';
}

static void reject(struct directmail_suppress *s, long long line, const char *why)
{
	s->rejected++;
	if (s->rejects)
		fprintf(s->rejects, "%s:%lld: %s\n", s->source, line, why);
}

int directmail_suppress_add(struct directmail_suppress *s, const struct directmail_entry *e,
			    struct mi_err *err)
{
	char okey[160] = "", zip5[6] = "", line[32], addr[512] = "";
	struct addr_usps u;
	const char *pv[9];
	PGresult *res;
	int has_owner = nonempty(e->owner), has_addr = nonempty(e->street);

	if (!has_owner && !has_addr) {
		reject(s, e->line, "neither an owner name nor a street address");
		return 0;
	}
	if (has_owner && owner_key(e->owner, strlen(e->owner), okey, sizeof(okey)) < 0) {
		reject(s, e->line, "the owner name cannot be read");
		return 0;
	}
	memset(&u, 0, sizeof(u));
	if (has_addr) {
		addr_usps_format(e->street, e->city, e->state, e->zip, NULL, &u, NULL);
		if (!u.key[0]) {
			reject(s, e->line, "the street address cannot be read");
			return 0;
		}
		if (strlen(u.zip) >= 5 && strspn(u.zip, "0123456789") >= 5)
			memcpy(zip5, u.zip, 5);
		snprintf(addr, sizeof(addr), "%s%s%s%s%s%s%s", e->street,
			 nonempty(e->city) ? ", " : "", nonempty(e->city) ? e->city : "",
			 nonempty(e->state) || nonempty(e->zip) ? ", " : "",
			 nonempty(e->state) ? e->state : "", nonempty(e->state) && nonempty(e->zip) ? " " : "",
			 nonempty(e->zip) ? e->zip : "");
	}
	snprintf(line, sizeof(line), "%lld", e->line);
	pv[0] = s->agent;
	pv[1] = okey[0] ? okey : NULL;
	pv[2] = u.key[0] ? u.key : NULL;
	pv[3] = zip5[0] ? zip5 : NULL;
	pv[4] = has_owner ? e->owner : NULL;
	pv[5] = addr[0] ? addr : NULL;
	pv[6] = nonempty(e->reason) ? e->reason : NULL;
	pv[7] = s->source;
	pv[8] = line;
	res = mi_pg_query(s->conn,
			  "SELECT homeowner_acquisition.add_lead_suppression($1, $2, $3, $4, $5, $6, $7,"
			  " $8, $9::integer)", 9, pv, err);
	if (!res)
		return -1;
	if (PQgetisnull(res, 0, 0))
		s->already++;
	else
		s->added++;
	PQclear(res);
	return 0;
}

int directmail_suppress_end(struct directmail_suppress *s, long long *suppressed, struct mi_err *err)
{
	PGresult *res;

	if (mi_pg_commit(s->conn, err) < 0)
		return -1;
	if (!suppressed)
		return 0;
	res = mi_pg_query(s->conn,
			  "SELECT count(*) FROM homeowner_acquisition.lead_board"
			  " WHERE suppression_id IS NOT NULL", 0, NULL, err);
	if (!res)
		return -1;
	*suppressed = atoll(PQgetvalue(res, 0, 0));
	PQclear(res);
	return 0;
}

void directmail_suppress_abort(struct directmail_suppress *s)
{
	mi_pg_rollback(s->conn);
}
