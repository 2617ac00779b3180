#!/bin/sh
# A new pricing snapshot leaves room on its pages for the night marks (sql/100):
# mi-compset's marking of the newest snapshot, which updates every one of its
# rows, rewrites them in place (a HOT update, no new key entry) and the
# snapshot's tables end the size the load made them.  Filled to the brim, the
# same update would move every row version to new pages and double them.
. tests/lib.sh
. tests/load-lib.sh
fresh_db
mkdir -p "$t_tmp/cal"
# 40 listings x 300 nights of one snapshot: open, then closed every third night
awk 'BEGIN {
	sha = sprintf("%064d", 0); gsub(/0/, "a", sha); n = 0
	for (l = 0; l < 40; l++)
		for (d = 0; d < 300; d++) {
			n++
			cmd = "date -u -d \"2028-02-14 + " d " day\" +%F"
			if (!(d in day)) { cmd | getline day[d]; close(cmd) }
			printf "airbnb-x\t%s\t%d\t%d\t\\N\tairbnb\tL%03d\t2028-02-14\t%s\t%s\t%d.00\t\\N\tUSD\t2\t365\n",
				sha, n, n * 100, l, day[d], (d % 3 == 2) ? "f" : "t", 100 + l
		}
}' >"$t_tmp/cal/pricing.tsv"
load_run --run r1 --source airbnb-x "$t_tmp/cal" 2>"$t_tmp/e1" || fail "load: $(cat "$t_tmp/e1")"
psql -XAtc "select count(*) from pg_class where relname like 'property\\_pricing\\_s20280214%' and relkind = 'p'" |
	grep -qx 1 || fail "the snapshot did not take the fast path"

leaves="select c.oid from pg_class c join pg_namespace n on n.oid = c.relnamespace
	where n.nspname = 'external' and c.relname like 'property\\_pricing\\_s20280214%' and c.relkind = 'r'"
ff=$(psql -XAtc "select string_agg(coalesce(array_to_string(reloptions, ','), '-'), ' ')
	from pg_class where oid in ($leaves)")
case " $ff " in
*" - "* | "  ") fail "a leaf of the snapshot has no fillfactor: '$ff'" ;;
esac
before=$(psql -XAtc "select sum(pg_relation_size(oid)) from pg_class where oid in ($leaves)")

marked=$(psql -XAtc "select etl.mark_night_status('2028-02-14', 31)") || fail "marking"
[ "$marked" -eq 12000 ] || fail "rows marked: $marked, not 12000"
psql -XAtc "select count(*) from external.property_pricing where inferred_status is null" |
	grep -qx 0 || fail "a row of the snapshot was left unmarked"
psql -XAtc "select inferred_status, count(*) from external.property_pricing group by 1 order by 1" |
	tr '\n' ' ' | grep -qx 'available|8000 blocked|4000 ' || fail "marks: $(psql -XAtc \
	"select inferred_status, count(*) from external.property_pricing group by 1 order by 1")"
after=$(psql -XAtc "select sum(pg_relation_size(oid)) from pg_class where oid in ($leaves)")
[ "$after" -eq "$before" ] || fail "marking grew the snapshot's tables from $before to $after bytes"
exit 0
