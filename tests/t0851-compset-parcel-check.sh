#!/bin/sh
# A competitive set's parcels are checked per statement instead of by two
# foreign keys (112_compset_parcel_check.sql): a member naming an unknown
# subject or competitor, the delete, rekeying or truncation of a parcel that a
# set names all fail with SQLSTATE 23503 as they did, naming the constraint;
# a statement of many members is checked whole; and a member being inserted
# holds its parcels (FOR KEY SHARE) until it commits, so that a delete of one
# of them waits for it.
. tests/lib.sh
fresh_db
q() { psql -XAt -v ON_ERROR_STOP=1 -c "$1"; }
state() { # SQL: the SQLSTATE it fails with, or ok
	psql -X -q -v ON_ERROR_STOP=1 -v VERBOSITY=verbose -c "$1" >/dev/null 2>"$t_tmp/err" && { echo ok; return; }
	sed -n 's/^ERROR:  \([0-9A-Z]\{5\}\):.*/\1/p' "$t_tmp/err" | head -n 1
}
member() { # subject competitor rank [day]: the INSERT of one member
	echo "insert into external.competitive_sets (subject_tmk, competitor_tmk, computed_on, rank, similarity)
	      values ('$1', $2, '${4:-2026-12-01}', $3, 0.5)"
}

# parcels 1..3, and 2,000 more for a statement of many members
q "insert into external.properties (tmk)
   select '12300100' || lpad(g::text, 5, '0') from generate_series(1, 2003) g" >/dev/null ||
	fail "parcels"
P1=1230010000001 P2=1230010000002 P3=1230010000003

[ "$(state "$(member $P1 "'$P2'" 1)")" = ok ] || fail "a member of known parcels: $(cat "$t_tmp/err")"
[ "$(state "insert into external.competitive_sets (subject_tmk, competitor_platform, competitor_listing_id,
            computed_on, rank, similarity) values ('$P1', 'airbnb', 'L1', '2026-12-01', 2, 0.5)")" = ok ] ||
	fail "a member known by its listing: $(cat "$t_tmp/err")"
[ "$(state "$(member 1230019999999 "'$P2'" 3)")" = 23503 ] || fail "an unknown subject: $(cat "$t_tmp/err")"
grep -q competitive_sets_subject_tmk_fkey "$t_tmp/err" || fail "the error names no constraint: $(cat "$t_tmp/err")"
grep -q '(subject_tmk)=(1230019999999)' "$t_tmp/err" || fail "the error names no key: $(cat "$t_tmp/err")"
[ "$(state "$(member $P1 "'1230019999999'" 3)")" = 23503 ] || fail "an unknown competitor: $(cat "$t_tmp/err")"
grep -q competitive_sets_competitor_tmk_fkey "$t_tmp/err" || fail "the error names no constraint: $(cat "$t_tmp/err")"
[ "$(state "update external.competitive_sets set competitor_tmk = '1230019999999' where rank = 1")" = 23503 ] ||
	fail "a member moved to an unknown competitor: $(cat "$t_tmp/err")"

# many members in one statement: all known, then one unknown among them
[ "$(state "insert into external.competitive_sets (subject_tmk, competitor_tmk, computed_on, rank, similarity)
            select '12300100' || lpad((3 + (g - 1) / 10)::text, 5, '0'),
                   '12300100' || lpad((2003 - (g - 1) % 10)::text, 5, '0'), '2026-12-02', 1 + (g - 1) % 10, 0.5
              from generate_series(1, 19000) g")" = ok ] || fail "19,000 members: $(cat "$t_tmp/err")"
[ "$(state "insert into external.competitive_sets (subject_tmk, competitor_tmk, computed_on, rank, similarity)
            select '12300100' || lpad((3 + (g - 1) / 10)::text, 5, '0'),
                   case when g = 777 then '1230019999998'
                        else '12300100' || lpad((2003 - (g - 1) % 10)::text, 5, '0') end,
                   '2026-12-03', 1 + (g - 1) % 10, 0.5
              from generate_series(1, 19000) g")" = 23503 ] || fail "one unknown among 19,000: $(cat "$t_tmp/err")"
grep -q '(competitor_tmk)=(1230019999998)' "$t_tmp/err" || fail "the error names no key: $(cat "$t_tmp/err")"
[ "$(q "select count(*) from external.competitive_sets where computed_on = '2026-12-03'")" = 0 ] ||
	fail "members of the refused statement stored"

# the parcels that sets name keep their key
[ "$(state "delete from external.properties where tmk = '$P1'")" = 23503 ] ||
	fail "a subject deleted: $(cat "$t_tmp/err")"
grep -q competitive_sets_subject_tmk_fkey "$t_tmp/err" || fail "the error names no constraint: $(cat "$t_tmp/err")"
[ "$(state "delete from external.properties where tmk = '$P2'")" = 23503 ] ||
	fail "a competitor deleted: $(cat "$t_tmp/err")"
grep -q competitive_sets_competitor_tmk_fkey "$t_tmp/err" || fail "the error names no constraint: $(cat "$t_tmp/err")"
[ "$(state "update external.properties set tmk = '1230019999997' where tmk = '$P2'")" = 23503 ] ||
	fail "a competitor rekeyed: $(cat "$t_tmp/err")"
# (with CASCADE the other foreign keys to the parcels no longer stop it)
[ "$(state "truncate external.properties cascade")" = 0A000 ] ||
	fail "the parcels truncated under their sets: $(cat "$t_tmp/err")"
[ "$(state "update external.properties set owner_name = 'renamed' where tmk = '$P2'")" = ok ] ||
	fail "a competitor's other columns: $(cat "$t_tmp/err")"
[ "$(state "delete from external.properties where tmk = '$P3'")" = 23503 ] ||
	fail "a subject of the 19,000 deleted: $(cat "$t_tmp/err")"
[ "$(state "delete from external.properties where tmk = '1230010001950'")" = ok ] ||
	fail "a parcel no set names: $(cat "$t_tmp/err")"

# a member being inserted holds its parcels: a delete waits for it (here until
# its lock timeout), where it would otherwise find no set naming the parcel
q "insert into external.properties (tmk) values ('1230010009001'), ('1230010009002')" >/dev/null
rm -f "$t_tmp/ctl"
mkfifo "$t_tmp/ctl" || fail "mkfifo"
PGAPPNAME=t0851-holder psql -X -q -v ON_ERROR_STOP=1 <"$t_tmp/ctl" >"$t_tmp/holder.out" 2>&1 &
holder=$!
exec 3>"$t_tmp/ctl"
echo "BEGIN; $(member 1230010009001 "'1230010009002'" 1 2026-12-04); SELECT 'inserted';" >&3
i=0
until grep -q inserted "$t_tmp/holder.out"; do
	i=$((i + 1))
	[ $i -le 600 ] || { kill $holder; fail "the holding insert never ran: $(cat "$t_tmp/holder.out")"; }
	sleep 0.1
done
[ "$(state "set lock_timeout = '1s'; delete from external.properties where tmk = '1230010009002'")" = 55P03 ] ||
	{ kill $holder; fail "a delete of a parcel named by an uncommitted member did not wait: $(cat "$t_tmp/err")"; }
echo "COMMIT;" >&3
exec 3>&-
wait $holder || fail "the holding session failed: $(cat "$t_tmp/holder.out")"
[ "$(state "delete from external.properties where tmk = '1230010009002'")" = 23503 ] ||
	fail "the committed member's competitor deleted: $(cat "$t_tmp/err")"

[ "$(q "select count(*) from external.competitive_sets c
        where not exists (select 1 from external.properties p where p.tmk = c.subject_tmk)
           or (c.competitor_tmk is not null
               and not exists (select 1 from external.properties p where p.tmk = c.competitor_tmk))")" = 0 ] ||
	fail "a member without its parcel"
exit 0
