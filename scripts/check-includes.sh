#!/bin/sh
# The include structure of pipeline/ (run by scripts/check-style.sh):
#
#  - every file is in one of the three floors, and includes (#include "x.h") only
#    headers of its own floor or of the floors below it: common includes only
#    common; normalize common and normalize; stages any of the three;
#  - no two modules include each other, directly or through others.  A module is
#    x.h with x.c and, when x.h exists, its parts x_*.h, x_*.c (load_int.h and
#    load_pricing.c are parts of load; geo_hi is a module of its own): when x.c or x.h includes y.h, x depends on y, and the
#    dependencies must form no circle.
#
# Prints one line per problem and exits 1 when there is any.
set -u
floors="common normalize stages"

{
	for fl in $floors; do
		for h in pipeline/"$fl"/*.h; do
			[ -f "$h" ] && echo "H $fl ${h##*/}"
		done
	done
	for f in pipeline/*/*.[ch] pipeline/*.[ch]; do
		[ -f "$f" ] || continue
		sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f" |
			while read -r inc; do echo "I $f $inc"; done
		echo "F $f"
	done
} | awk -v floors="$floors" '
function module(name,    pre) {
	sub(/\.[ch]$/, "", name)
	pre = name
	sub(/_.*/, "", pre)
	return (pre ".h") in where ? pre : name
}
function bad(msg) { print "check-includes: " msg; status = 1 }
BEGIN {
	n = split(floors, fv, " ")
	for (i = 1; i <= n; i++)
		rank[fv[i]] = i
}
$1 == "H" { where[$3] = $2; next }
$1 == "F" || $1 == "I" {
	path = $2
	k = split(path, part, "/")
	fl = (k == 3) ? part[2] : ""
	if (!(fl in rank)) {
		if (!(path in told))
			bad(path ": not in a floor (pipeline/common, normalize or stages)")
		told[path] = 1
		next
	}
	if ($1 == "F")
		next
	inc = $3
	if (!(inc in where)) {
		bad(path ": includes \"" inc "\", which is no header of pipeline/")
		next
	}
	if (rank[where[inc]] > rank[fl])
		bad(path ": floor " fl " includes \"" inc "\" of floor " where[inc] " above it")
	from = module(part[3])
	to = module(inc)
	if (from != to && !((from, to) in edge)) {
		edge[from, to] = 1
		adj[from] = adj[from] " " to
		node[from] = 1
		node[to] = 1
	}
}
function visit(m,    i, j, c, nb, cyc) {
	color[m] = 1
	stack[++depth] = m
	c = split(adj[m], nb, " ")
	for (i = 1; i <= c; i++) {
		if (color[nb[i]] == 1) {
			cyc = nb[i]
			for (j = depth; j >= 1 && stack[j] != nb[i]; j--)
				cyc = stack[j] " -> " cyc
			bad("include circle: " nb[i] " -> " cyc)
		} else if (!color[nb[i]]) {
			visit(nb[i])
		}
	}
	depth--
	color[m] = 2
}
END {
	for (m in node)
		if (!color[m])
			visit(m)
	exit status
}'
