#!/bin/sh
# make demo: the whole nightly pipeline on the fixtures, end to end.
#
# Uses the database libpq's environment names (PGHOST, PGDATABASE or PGSERVICE);
# otherwise starts a throwaway PostgreSQL in .demo/pg (kept between runs, so a
# second `make demo` reuses it).  Then applies the migrations, serves the fixture
# sources (fixtures/demo/) from a local HTTP server on 127.0.0.1, so that the run
# goes through real HTTP, runs `mi-run nightly` with the demo configuration
# (config/demo/, copied to .demo/config with the server's port in every URL;
# the fixtures' dates are moved so that the market was scraped today),
# prints the lead queue (how to work it), writes the HTML report, and drafts and
# sends a proposal for the first owner of the queue (its printable page).
#
# Everything the demo makes is under .demo/: pg/ (the server), www/, config/, landing/
# (the landing store), work/ (entity files and stage logs), report.html,
# proposal-ID.html.  A second
# run the same day continues the same run id and adds nothing; the queue prints
# again.  Start afresh with: sh scripts/pg.sh stop .demo/pg; rm -rf .demo
set -eu
top=$(pwd)
BIN=${MI_BIN:-bin}
case $BIN in /*) ;; *) BIN="$top/$BIN" ;; esac
BUILD_REL=${MI_BUILD:-build}
BUILD=$BUILD_REL
case $BUILD in /*) ;; *) BUILD="$top/$BUILD" ;; esac
export MI_DATADIR="$top/data" MI_SQLDIR="$top/sql"
export MI_LOG_LEVEL="${MI_LOG_LEVEL:-warn}"
demo="$top/.demo"
mkdir -p "$demo"

# The loopback HTTP server and the date shifter are test tools: build them
# when `make all` did not.
for tool in httpd dateshift; do
	if [ ! -x "$BUILD/tools/$tool" ]; then
		${MAKE:-make} --no-print-directory -s BUILD="$BUILD_REL" "$BUILD_REL/tools/$tool" >/dev/null ||
			{ echo "demo: cannot build $BUILD_REL/tools/$tool" >&2; exit 70; }
	fi
done

own_db=0
if [ -n "${PGHOST:-}${PGDATABASE:-}${PGSERVICE:-}" ]; then
	echo "demo: using the database named by libpq's environment"
else
	own_db=1
	eval "$(sh "$top/scripts/pg.sh" start "$demo/pg")"
	export PGDATABASE=market_intel
	psql -XAtqc "select 1 from pg_database where datname = 'market_intel'" postgres | grep -q 1 ||
		createdb market_intel
	echo "demo: throwaway PostgreSQL in .demo/pg (stop it with: sh scripts/pg.sh stop .demo/pg)"
fi

rc=0
"$BIN/mi-migrate" --dir "$top/sql" >"$demo/migrate.log" 2>&1 || rc=$?
if [ $rc -eq 78 ] && [ $own_db -eq 1 ]; then
	# the throwaway database was made by an older checkout whose migrations
	# have since changed: it holds nothing but demo data, so start it afresh
	echo "demo: .demo's database predates this checkout's migrations; recreating it"
	dropdb --force market_intel && createdb market_intel
	rm -rf "$demo/landing" "$demo/work"
	rc=0
	"$BIN/mi-migrate" --dir "$top/sql" >"$demo/migrate.log" 2>&1 || rc=$?
fi
if [ $rc -ne 0 ]; then
	cat "$demo/migrate.log" >&2
	exit $rc
fi
tail -n 1 "$demo/migrate.log"

# The fixture sources, moved to today (scripts/demo-lib.sh), over HTTP on
# 127.0.0.1 (an ephemeral port); the server is stopped by its pid when this
# script ends, whatever the reason.
. "$top/scripts/demo-lib.sh"
trap demo_httpd_stop EXIT
trap 'exit 130' INT TERM
demo_www "$demo/www" || { echo "demo: cannot prepare .demo/www" >&2; exit 70; }
demo_httpd "$demo/www" "$demo/httpd.stats" || exit 70
echo "demo: fixture sources served on http://127.0.0.1:$demo_port/"
demo_config "$demo/config" "$demo_port" || { echo "demo: cannot write .demo/config" >&2; exit 70; }

# The market's recent past: the calendar scrapes of the four weeks before today,
# loaded as earlier snapshots (booked nights, occupancy and projections need them)
MI_BIN=$BIN demo_history "$demo/www" "$demo/work" demo-history ||
	{ echo "demo: cannot load the earlier calendar snapshots" >&2; exit 70; }

echo "demo: mi-run nightly"
rc=0
"$BIN/mi-run" nightly --config-dir "$demo/config" --landing "$demo/landing" \
	--work "$demo/work" || rc=$?
if [ $rc -ne 0 ]; then
	echo "demo: mi-run exited $rc; the stage logs are in .demo/work/*/logs/" >&2
fi

# One owner signs: Daniel Mahoe's Kaanapali condo, (2) 4-4-001:098-0512.  An agent
# claims the lead, logs the visit, drafts the proposal from the projection (fee 20%,
# 12 months), sends its printable page, records the owner's acceptance and signs
# the contract, which makes the property ours and starts its onboarding.  Once
# signed, a later make demo leaves it as it is.
demo_tmk=2440010980512
demo_lead=$(psql -XAtqc "select prospect_id from homeowner_acquisition.prospect_properties
                         where tmk = '$demo_tmk' order by prospect_id limit 1")
if [ -n "$demo_lead" ] && [ "$(psql -XAtqc "select count(*) from homeowner_acquisition.contracts
                                             where tmk = '$demo_tmk'")" = 0 ]; then
	leads_demo() { "$BIN/mi-leads" --config "$demo/config/leads.ini" "$@" >/dev/null; }
	leads_demo claim "$demo_lead" --agent demo &&
		leads_demo log "$demo_lead" --agent demo --channel meeting --outcome interested \
			--note "walked the unit with the owner" &&
		leads_demo propose "$demo_lead" --tmk "$demo_tmk" --fee 20 --term 12 --agent demo ||
		{ echo "demo: cannot draft a proposal for lead $demo_lead" >&2; exit 70; }
	demo_proposal=$(psql -XAtqc "select max(proposal_id) from homeowner_acquisition.proposals
	                             where prospect_id = $demo_lead and tmk = '$demo_tmk'")
	demo_page=$("$BIN/mi-report" --proposal "$demo_proposal" \
		--out "$demo/proposal-$demo_proposal.html") &&
		leads_demo proposal send "$demo_proposal" --document "$demo_page" --agent demo &&
		leads_demo proposal accept "$demo_proposal" --note "signed copy received" --agent demo &&
		leads_demo contract sign "$demo_proposal" --agent demo --signed-by "Daniel Mahoe" ||
		{ echo "demo: cannot take proposal $demo_proposal to a contract" >&2; exit 70; }
fi

echo
echo "Lead queue (best first):"
"$BIN/mi-leads" queue --config "$demo/config/leads.ini" --limit 20
echo
echo "Signed owners:"
"$BIN/mi-leads" contract list --config "$demo/config/leads.ini"
echo
echo "Work it as an agent: $BIN/mi-leads next --agent NAME, then show, log, status ..."
echo "(mi-leads --help; the desk: docs/desk.md)"

if [ -x "$BIN/mi-report" ]; then
	echo
	"$BIN/mi-report" --out "$demo/report.html" >/dev/null
	echo "demo: report written to $demo/report.html"
fi

# A proposal for the first owner of the queue with a projection, as agent "demo"
# drafts it: claim, a note, propose, send the printable page.  A second run finds
# it and writes the page again.
lead=$(psql -XAtqc "SELECT lead_id FROM homeowner_acquisition.lead_board
                     WHERE projected_net IS NOT NULL AND stage NOT IN ('won', 'lost', 'do_not_contact')
                     ORDER BY queue_score DESC, lead_id LIMIT 1" 2>/dev/null || true)
if [ -n "$lead" ] && [ -x "$BIN/mi-report" ]; then
	leads() { "$BIN/mi-leads" --config "$demo/config/leads.ini" "$@"; }
	prop=$(psql -XAtqc "SELECT max(proposal_id) FROM homeowner_acquisition.proposals
	                     WHERE prospect_id = $lead AND status <> 'withdrawn'")
	if [ -z "$prop" ]; then
		leads claim "$lead" --agent demo --note "the demo's proposal" >/dev/null &&
			leads log "$lead" --channel call --outcome interested --agent demo \
				--note "the owners would like to see what we would make of it" >/dev/null &&
			leads propose "$lead" --agent demo >/dev/null || rc=1
		prop=$(psql -XAtqc "SELECT max(proposal_id) FROM homeowner_acquisition.proposals
		                     WHERE prospect_id = $lead AND status <> 'withdrawn'")
	fi
	if [ -n "$prop" ]; then
		page=$("$BIN/mi-report" --proposal "$prop" --out "$demo/proposal-$prop.html") || rc=1
		if [ "$(psql -XAtqc "SELECT status FROM homeowner_acquisition.proposals WHERE proposal_id = $prop")" = draft ]; then
			leads proposal send "$prop" --document "$page" --agent demo >/dev/null || rc=1
		fi
		echo "demo: proposal $prop for lead $lead written to $page (mi-leads proposal show $prop)"
	fi
fi
demo_httpd_stop
exit $rc
