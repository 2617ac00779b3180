/*
 * metrics: occupancy, ADR and RevPAR of the hand-made calendar series in
 * fixtures/metrics/series.sql, whose expected values are worked out in its
 * header comment.
 */
#include "err.h"
#include "metrics.h"
#include "pgtest.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static PGconn *conn;
static char dbname[64];

static char *slurp(const char *path)
{
	FILE *fp = fopen(path, "r");
	char *buf;
	long n;

	cr_assert_not_null(fp, "cannot open %s", path);
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	rewind(fp);
	buf = malloc((size_t)n + 1);
	cr_assert_not_null(buf);
	cr_assert_eq(fread(buf, 1, (size_t)n, fp), (size_t)n);
	buf[n] = '\0';
	fclose(fp);
	return buf;
}

static void setup(void)
{
	char *sql;

	conn = pgt_fresh_db("t_metrics", dbname);
	sql = slurp("fixtures/metrics/series.sql");
	pgt_exec(conn, sql);
	free(sql);
}

static void teardown(void)
{
	if (conn)
		pgt_drop_db(conn, dbname);
	conn = NULL;
}

/* One metrics row as text: "observed available booked blocked priced revenue occ adr revpar". */
static void row_is(const char *window, const char *subject, const char *want)
{
	char sql[1024];
	PGresult *r;

	snprintf(sql, sizeof(sql),
		 "SELECT concat_ws(' ', nights_observed, available_nights, booked_nights, blocked_nights,"
		 " priced_nights, booked_revenue, occupancy, coalesce(adr::text, '-'),"
		 " coalesce(revpar::text, '-'))"
		 " FROM etl.market_metrics WHERE window_kind = '%s' AND subject_key = '%s'",
		 window, subject);
	r = PQexec(conn, sql);
	cr_assert_eq(PQresultStatus(r), PGRES_TUPLES_OK, "%s", PQerrorMessage(conn));
	cr_assert_eq(PQntuples(r), 1, "no %s row for %s", window, subject);
	cr_expect_str_eq(PQgetvalue(r, 0, 0), want, "%s %s", window, subject);
	PQclear(r);
}

static void refresh(const char *as_of, int trailing, int forward)
{
	struct mi_err err = MI_ERR_INIT;
	long long rows = -1;

	cr_assert_eq(metrics_refresh(conn, as_of, trailing, forward, &rows, &err), 0, "%s: %s",
		     err.msg, err.detail);
	cr_assert_eq(rows, 5, "rows written: %lld", rows);
}

TestSuite(metrics, .init = setup, .fini = teardown);

Test(metrics, listing_booked_blocked_and_cancelled_nights)
{
	refresh("2026-03-01", 28, 7);
	row_is("trailing", "listing:airbnb:1001", "28 8 16 4 16 3500.00 0.6667 218.75 145.83");
	cr_expect_eq(pgt_scalar(conn, "SELECT (blocked_confidence * 10000)::int FROM etl.market_metrics"
			       " WHERE window_kind = 'trailing' AND subject_key = 'listing:airbnb:1001'"),
		     7625);
}

Test(metrics, property_combines_its_listings_night_by_night)
{
	refresh("2026-03-01", 28, 7);
	row_is("trailing", "listing:vrbo:3210987", "4 0 4 0 4 720.00 1.0000 180.00 180.00");
	row_is("trailing", "tmk:2440130040101", "28 4 20 4 20 4220.00 0.8333 211.00 175.83");
}

Test(metrics, forward_window_is_what_is_on_the_books)
{
	refresh("2026-03-01", 28, 7);
	row_is("forward", "listing:airbnb:1001", "7 7 0 0 0 0.00 0.0000 - 0.00");
}

Test(metrics, night_status_and_booked_price)
{
	/* 02-05 was open at $200 and closed later: booked at $200, confidence .9 */
	cr_expect_eq(pgt_scalar(conn,
		"SELECT count(*) FROM etl.calendar_night_status('2026-03-01', '2026-02-05', '2026-02-05')"
		" WHERE listing_id = '1001' AND status = 'booked' AND rate = 200 AND confidence = 0.9"), 1);
	/* 02-26: closed on 02-01, open again on 02-15: available */
	cr_expect_eq(pgt_scalar(conn,
		"SELECT count(*) FROM etl.calendar_night_status('2026-03-01', '2026-02-26', '2026-02-26')"
		" WHERE listing_id = '1001' AND status = 'available' AND rate IS NULL"), 1);
	/* seen from 02-01 only, the night of 02-26 was still closed: booked as of then */
	cr_expect_eq(pgt_scalar(conn,
		"SELECT count(*) FROM etl.calendar_night_status('2026-02-01', '2026-02-26', '2026-02-26')"
		" WHERE listing_id = '1001' AND status = 'booked' AND rate = 300"), 1);
	/* a blocked night first seen 51 days ahead */
	cr_expect_eq(pgt_scalar(conn,
		"SELECT (confidence * 10000)::int FROM etl.calendar_night_status('2026-03-01', '2026-02-21',"
		" '2026-02-21') WHERE listing_id = '1001' AND status = 'blocked'"), 7550);
}

Test(metrics, rerun_replaces_the_day)
{
	refresh("2026-03-01", 28, 7);
	refresh("2026-03-01", 28, 7);
	cr_expect_eq(pgt_scalar(conn, "SELECT count(*) FROM etl.market_metrics"), 5);
	row_is("trailing", "tmk:2440130040101", "28 4 20 4 20 4220.00 0.8333 211.00 175.83");
}

Test(metrics, bad_window_is_refused)
{
	struct mi_err err = MI_ERR_INIT;

	cr_assert_eq(metrics_refresh(conn, "2026-03-01", 0, 7, NULL, &err), -1);
	cr_expect(strstr(err.msg, "must be between 1 and 1095") != NULL, "%s", err.msg);
}

Test(metrics, last_look_rows_carry_the_night_status)
{
	struct mi_err err = MI_ERR_INIT;
	long long rows = -1;

	cr_assert_eq(metrics_mark_nights(conn, "2026-02-20", &rows, &err), 0, "%s", err.msg);
	/*
	 * last looks as of 02-20: airbnb 02-01..02-14 on the 02-01 snapshot (14),
	 * airbnb 02-15..03-07 on the 02-15 snapshot (21), vrbo 02-11..02-14 on 02-01 (4)
	 */
	cr_expect_eq(rows, 39);
	cr_expect_eq(pgt_scalar(conn,
		"SELECT count(*) FROM external.property_pricing WHERE snapshot_date = '2026-02-15'"
		" AND listing_id = '1001' AND ((stay_date BETWEEN '2026-02-15' AND '2026-02-20'"
		"   AND inferred_status = 'booked' AND inferred_confidence = 0.9)"
		"  OR (stay_date BETWEEN '2026-02-21' AND '2026-02-24' AND inferred_status = 'blocked')"
		"  OR (stay_date >= '2026-02-25' AND inferred_status = 'available'"
		"      AND inferred_confidence = 0.9333))"), 21);
	/* 02-01..02-10 closed on 02-01 after being open on 01-01: booked */
	cr_expect_eq(pgt_scalar(conn,
		"SELECT count(*) FROM external.property_pricing WHERE snapshot_date = '2026-02-01'"
		" AND listing_id = '1001' AND stay_date <= '2026-02-10' AND inferred_status = 'booked'"), 10);
	cr_expect_eq(pgt_scalar(conn,
		"SELECT count(*) FROM external.property_pricing WHERE snapshot_date = '2026-02-01'"
		" AND listing_id = '3210987' AND inferred_status = 'booked'"), 4);
	/* a block first seen 51 days ahead */
	cr_expect_eq(pgt_scalar(conn,
		"SELECT (inferred_confidence * 10000)::int FROM external.property_pricing"
		" WHERE snapshot_date = '2026-02-15' AND listing_id = '1001' AND stay_date = '2026-02-21'"),
		7550);
	/* earlier looks are left alone, and a re-run changes nothing */
	cr_expect_eq(pgt_scalar(conn, "SELECT count(*) FROM external.property_pricing"
				      " WHERE snapshot_date < '2026-02-01' AND inferred_status IS NOT NULL"), 0);
	cr_assert_eq(metrics_mark_nights(conn, "2026-02-20", &rows, &err), 0);
	cr_expect_eq(rows, 0);
}

/* What every metric row and every mark says, as one text (created_at aside). */
static char *state_text(void)
{
	PGresult *r = PQexec(conn,
		"SELECT coalesce((SELECT string_agg(concat_ws(' ', as_of, window_kind, window_from,"
		"   window_to, subject_key, nights_observed, available_nights, booked_nights,"
		"   blocked_nights, priced_nights, booked_revenue, occupancy, adr, revpar,"
		"   blocked_confidence), ';' ORDER BY window_kind, subject_key) FROM etl.market_metrics), '')"
		" || '|' || coalesce((SELECT string_agg(concat_ws(' ', platform, listing_id, snapshot_date,"
		"   stay_date, inferred_status, inferred_confidence), ';'"
		"   ORDER BY platform, listing_id, snapshot_date, stay_date)"
		"   FROM external.property_pricing WHERE inferred_status IS NOT NULL), '')");
	char *s;

	cr_assert_eq(PQresultStatus(r), PGRES_TUPLES_OK, "%s", PQerrorMessage(conn));
	s = strdup(PQgetvalue(r, 0, 0));
	PQclear(r);
	return s;
}

/*
 * mi-compset's one computation of the night statuses for the metrics and the
 * marks gives the rows the two separate functions give, on every as-of date
 * of the series (before, between and after its snapshots).
 */
Test(metrics, refresh_and_mark_equal_the_two_apart)
{
	static const char *const dates[] = { "2026-01-15", "2026-02-01", "2026-02-10", "2026-02-20",
					     "2026-03-01", "2026-03-20" };
	struct mi_err err = MI_ERR_INIT;

	for (size_t i = 0; i < sizeof(dates) / sizeof(dates[0]); i++) {
		long long rows = -1, marked = -1, rows2 = -1, marked2 = -1;
		char *apart, *once;

		pgt_exec(conn, "BEGIN");
		cr_assert_eq(metrics_refresh(conn, dates[i], 30, 21, &rows, &err), 0, "%s", err.msg);
		cr_assert_eq(metrics_mark_nights(conn, dates[i], &marked, &err), 0, "%s", err.msg);
		apart = state_text();
		pgt_exec(conn, "ROLLBACK");
		pgt_exec(conn, "BEGIN");
		cr_assert_eq(metrics_refresh_and_mark(conn, dates[i], 30, 21, 1, &rows2, &marked2, &err),
			     0, "%s", err.msg);
		once = state_text();
		pgt_exec(conn, "ROLLBACK");
		cr_expect_eq(rows2, rows, "%s: metric rows", dates[i]);
		cr_expect_eq(marked2, marked, "%s: marks", dates[i]);
		cr_expect_str_eq(once, apart, "%s", dates[i]);
		cr_expect(strlen(apart) > 1 || i == 0, "%s: nothing computed", dates[i]);
		free(apart);
		free(once);
	}
	/* without marks: the metrics alone, nothing marked */
	{
		long long rows = -1, marked = -1;
		cr_assert_eq(metrics_refresh_and_mark(conn, "2026-03-01", 30, 21, 0, &rows, &marked, &err),
			     0, "%s", err.msg);
		cr_expect_gt(rows, 0);
		cr_expect_eq(marked, 0);
		cr_expect_eq(pgt_scalar(conn, "SELECT count(*) FROM external.property_pricing"
					      " WHERE inferred_status IS NOT NULL"), 0);
	}
}

/*
 * The marks are written one last-look date at a time (sql/099); they are the
 * rows the one statement over every snapshot of the lookback wrote (092), on
 * every as-of date of the series, lookbacks short and long.
 */
Test(metrics, marks_per_snapshot_equal_one_statement)
{
	static const char *const dates[] = { "2026-01-15", "2026-02-01", "2026-02-10", "2026-02-20",
					     "2026-03-01", "2026-03-20" };
	static const int lookbacks[] = { 0, 10, 31, 90 };

	for (size_t i = 0; i < sizeof(dates) / sizeof(dates[0]); i++) {
		for (size_t j = 0; j < sizeof(lookbacks) / sizeof(lookbacks[0]); j++) {
			const char *pv[2];
			char lb[16];
			PGresult *r;
			long long one, each;
			char *want, *got;

			snprintf(lb, sizeof(lb), "%d", lookbacks[j]);
			pv[0] = dates[i];
			pv[1] = lb;
			/* the one statement of 092 */
			pgt_exec(conn, "BEGIN");
			r = PQexecParams(conn, "SELECT etl.night_status_stage($1::date, $1::date - $2::int,"
					 " $1::date + 1100)", 2, NULL, pv, NULL, NULL, 0);
			cr_assert_eq(PQresultStatus(r), PGRES_TUPLES_OK, "%s", PQerrorMessage(conn));
			PQclear(r);
			r = PQexecParams(conn,
				"UPDATE external.property_pricing p"
				"   SET inferred_status = s.status, inferred_confidence = s.confidence"
				"  FROM pg_temp.mm_status s"
				" WHERE s.stay_date BETWEEN $1::date - $2::int AND $1::date + 1100"
				"   AND p.snapshot_date BETWEEN $1::date - $2::int AND $1::date"
				"   AND p.snapshot_date = s.last_snapshot"
				"   AND p.platform = s.platform AND p.listing_id = s.listing_id"
				"   AND p.stay_date = s.stay_date"
				"   AND (p.inferred_status IS DISTINCT FROM s.status"
				"        OR p.inferred_confidence IS DISTINCT FROM s.confidence)",
				2, NULL, pv, NULL, NULL, 0);
			cr_assert_eq(PQresultStatus(r), PGRES_COMMAND_OK, "%s", PQerrorMessage(conn));
			one = atoll(PQcmdTuples(r));
			PQclear(r);
			want = state_text();
			pgt_exec(conn, "ROLLBACK");
			/* one snapshot at a time */
			pgt_exec(conn, "BEGIN");
			r = PQexecParams(conn, "SELECT etl.mark_night_status($1::date, $2::int)", 2, NULL,
					 pv, NULL, NULL, 0);
			cr_assert_eq(PQresultStatus(r), PGRES_TUPLES_OK, "%s", PQerrorMessage(conn));
			each = atoll(PQgetvalue(r, 0, 0));
			PQclear(r);
			got = state_text();
			pgt_exec(conn, "ROLLBACK");
			cr_expect_eq(each, one, "%s lookback %d: rows marked", dates[i], lookbacks[j]);
			cr_expect_str_eq(got, want, "%s lookback %d", dates[i], lookbacks[j]);
			if (!strcmp(dates[i], "2026-02-20") && lookbacks[j] == 31)
				cr_expect_eq(one, 39, "the series' marks of 02-20 (two snapshots)");
			free(want);
			free(got);
		}
	}
}

/*
 * The night statuses of sql/101 (the newest look's values from max() over
 * (days, value) arrays, grouped in key order) are those of the ordered
 * aggregates they replaced (093), on every as-of date of the series and with
 * a night whose last open look had no price (the open price is then NULL,
 * not an older one).
 */
Test(metrics, statuses_equal_the_ordered_aggregates)
{
	static const char *const dates[] = { "2026-01-10", "2026-01-15", "2026-02-01", "2026-02-12",
					     "2026-02-20", "2026-03-01", "2026-03-20" };
	/*
	 * Each night as "platform listing night open-at-last-look ever-open
	 * booked-price snapshots first last" (a booked night's NULL price
	 * written "null", so that it cannot vanish from the line).  First 093's
	 * grouping, as it was; then the function of 101.
	 */
	static const char old_sql[] =
		"WITH obs AS ("
		" SELECT p.platform::text AS platform, p.listing_id::text AS listing_id, p.stay_date,"
		"        count(*)::integer AS snapshots, min(p.snapshot_date) AS first_snapshot,"
		"        max(p.snapshot_date) AS last_snapshot,"
		"        (array_agg(p.available ORDER BY p.snapshot_date DESC))[1] AS last_available,"
		"        bool_or(p.available) AS ever_available,"
		"        (array_agg(coalesce(p.nightly_rate, p.adjusted_rate) ORDER BY p.snapshot_date DESC)"
		"             FILTER (WHERE p.available))[1] AS last_open_rate"
		"   FROM external.property_pricing p"
		"  WHERE p.snapshot_date <= $1::date AND p.snapshot_date <= p.stay_date"
		"    AND p.snapshot_date >= p.stay_date - 365"
		"    AND p.stay_date BETWEEN $1::date - 90 AND $1::date + 1100"
		"    AND p.available IS NOT NULL"
		"  GROUP BY p.platform, p.listing_id, p.stay_date)"
		" SELECT coalesce(string_agg(concat_ws(' ', platform, listing_id, stay_date, last_available,"
		"        ever_available,"
		"        CASE WHEN NOT last_available AND ever_available"
		"             THEN coalesce(last_open_rate::text, 'null') END,"
		"        snapshots, first_snapshot, last_snapshot), ';'"
		"        ORDER BY platform, listing_id, stay_date), '') FROM obs";
	static const char new_sql[] =
		"SELECT coalesce(string_agg(concat_ws(' ', platform, listing_id, stay_date,"
		"        status = 'available', status <> 'blocked',"
		"        CASE WHEN status = 'booked' THEN coalesce(rate::text, 'null') END,"
		"        snapshots, first_snapshot, last_snapshot),"
		"        ';' ORDER BY platform, listing_id, stay_date), '')"
		"   FROM etl.calendar_night_status($1::date, $1::date - 90, $1::date + 1100)";
	int booked_null = 0;

	/* night 03-05 of airbnb 1001: open without a price on 02-15, closed on 03-01 */
	pgt_exec(conn, "UPDATE external.property_pricing SET nightly_rate = NULL, adjusted_rate = NULL"
		       " WHERE listing_id = '1001' AND stay_date = '2026-03-05' AND snapshot_date = '2026-02-15'");
	pgt_exec(conn, "UPDATE external.property_pricing SET available = false"
		       " WHERE listing_id = '1001' AND stay_date = '2026-03-05' AND snapshot_date = '2026-03-01'");
	for (size_t i = 0; i < sizeof(dates) / sizeof(dates[0]); i++) {
		const char *pv[1] = { dates[i] };
		const char *const q[2] = { old_sql, new_sql };
		char *got[2];

		for (int k = 0; k < 2; k++) {
			PGresult *r = PQexecParams(conn, q[k], 1, NULL, pv, NULL, NULL, 0);
			cr_assert_eq(PQresultStatus(r), PGRES_TUPLES_OK, "%s", PQerrorMessage(conn));
			got[k] = strdup(PQgetvalue(r, 0, 0));
			PQclear(r);
		}
		cr_expect_str_eq(got[1], got[0], "%s: statuses and booked prices", dates[i]);
		cr_expect(strlen(got[0]) > 0, "%s: no night", dates[i]);
		if (strstr(got[0], "2026-03-05 f t null "))
			booked_null++;
		free(got[0]);
		free(got[1]);
	}
	cr_expect_gt(booked_null, 0, "the night booked from an unpriced look was never seen");
}

/*
 * sql/111 computes a night's confidence and booked price in integers: the
 * same values, with the same scale (the same text), as 102's numeric
 * divisions and roundings.  The arithmetic for every gap and every day count
 * a night can have, then the function on every night of the series.
 */
Test(metrics, confidences_in_integers_equal_the_numeric_ones)
{
	static const char *const dates[] = { "2026-01-10", "2026-02-01", "2026-02-20", "2026-03-01",
					     "2026-03-20" };
	/* each line counts the values that differ; 0 expected */
	static const char arith_sql[] =
		"SELECT count(*) FILTER (WHERE (greatest(5000, ((60 - g) * 1000 + 3) / 6)::numeric * 0.0001)::text"
		"                              <> round(greatest(0.5, 1.0 - g / 60.0), 4)::text)"
		"     + count(*) FILTER (WHERE ((100 + least(g, 90)) * 50::numeric * 0.0001)::text"
		"                              <> round(0.5 + 0.45 * least(g, 90) / 90.0, 4)::text)"
		"     + count(*) FILTER (WHERE (9000::numeric * 0.0001)::text <> round(0.9, 4)::text)"
		"  FROM generate_series(0, 1500) g";
	static const char cents_sql[] =
		"SELECT count(*) FILTER (WHERE (c::numeric * 0.01)::text <> round(c / 100.0, 2)::text)"
		"  FROM (SELECT generate_series(0, 200000)::bigint AS c"
		"        UNION ALL SELECT 99999999999999 - generate_series(0, 1000)) x";
	static const char nights_sql[] =
		"SELECT count(*), count(*) FILTER (WHERE s.confidence::text <> round(CASE s.status"
		"        WHEN 'available' THEN greatest(0.5, 1.0 - greatest(least(s.stay_date, $1::date)"
		"                                            - s.last_snapshot - 1, 0) / 60.0)"
		"        WHEN 'booked' THEN 0.9"
		"        ELSE 0.5 + 0.45 * least(s.stay_date - s.first_snapshot, 90) / 90.0 END, 4)::text),"
		"        count(DISTINCT s.status), count(DISTINCT s.confidence)"
		"   FROM etl.calendar_night_status($1::date, $1::date - 90, $1::date + 1100) s";
	PGresult *r;
	int statuses = 0, confidences = 0;

	r = PQexec(conn, arith_sql);
	cr_assert_eq(PQresultStatus(r), PGRES_TUPLES_OK, "%s", PQerrorMessage(conn));
	cr_expect_str_eq(PQgetvalue(r, 0, 0), "0", "confidences that differ");
	PQclear(r);
	r = PQexec(conn, cents_sql);
	cr_assert_eq(PQresultStatus(r), PGRES_TUPLES_OK, "%s", PQerrorMessage(conn));
	cr_expect_str_eq(PQgetvalue(r, 0, 0), "0", "prices that differ");
	PQclear(r);
	for (size_t i = 0; i < sizeof(dates) / sizeof(dates[0]); i++) {
		const char *pv[1] = { dates[i] };

		r = PQexecParams(conn, nights_sql, 1, NULL, pv, NULL, NULL, 0);
		cr_assert_eq(PQresultStatus(r), PGRES_TUPLES_OK, "%s", PQerrorMessage(conn));
		cr_expect_gt(atoi(PQgetvalue(r, 0, 0)), 0, "%s: no night", dates[i]);
		cr_expect_str_eq(PQgetvalue(r, 0, 1), "0", "%s: nights whose confidence differs", dates[i]);
		if (atoi(PQgetvalue(r, 0, 2)) > statuses)
			statuses = atoi(PQgetvalue(r, 0, 2));
		if (atoi(PQgetvalue(r, 0, 3)) > confidences)
			confidences = atoi(PQgetvalue(r, 0, 3));
		PQclear(r);
	}
	cr_expect_eq(statuses, 3, "the series has available, booked and blocked nights");
	cr_expect_gt(confidences, 3, "the series has confidences of several gaps and day counts");
}
