#!/bin/sh
# Mutation check of the VADER rules: remove or change one rule at a time in a copy of
# pipeline/stages/sentiment.c, build tests/test_sentiment.c against it and list the tests that
# fail.  Every line must name at least one failing test ("NO FAILURE" = an untested rule).
# Usage (repository root): sh scripts/mutate-sentiment.sh
set -u
w=$(mktemp -d /tmp/mi-mutate.XXXXXX)
trap 'rm -rf "$w"' EXIT
mut() {
  name=$1; shift
  rm -rf "$w/pipeline"; mkdir -p "$w/pipeline"
  cp pipeline/*/*.h pipeline/*/*.c $w/pipeline/
  python3 -c "
import sys
p=sys.argv[3]
s=open(p).read()
old=sys.argv[1]; new=sys.argv[2]
assert old in s, old
s=s.replace(old,new,1)
open(p,'w').write(s)
" "$1" "$2" "$w/pipeline/sentiment.c" || { echo "$name: pattern not found"; return; }
  cc -std=c11 -D_GNU_SOURCE -I$w/pipeline -O1 -w $(pkg-config --cflags criterion) -o $w/t tests/test_sentiment.c $w/pipeline/sentiment.c $w/pipeline/aspects.c $w/pipeline/paths.c $w/pipeline/strbuf.c $w/pipeline/err.c $w/pipeline/records.c -lcriterion -lm
  res=$($w/t 2>&1 | grep -o 'FAIL\] [a-z_:]*' | sort -u | tr '\n' ' ')
  echo "$name: ${res:-NO FAILURE}"
}
mut but "			s->val[i] *= i < but ? 0.5 : i > but ? 1.5 : 1.0;" "			;"
mut caps "	if (u[i].upper && cap_diff)
		v += v > 0 ? SENT_C_INCR : -SENT_C_INCR;" ""
mut booster_caps "	if (cap_diff && u->upper)" "	if (0)"
mut decay "		v += d == 1 ? s : d == 2 ? s * 0.95 : s * 0.9;" "		v += s;"
mut booster_sign "	if (valence < 0)
		s = -s;" ""
mut neg_d1 "			if (p->neg) {
				v *= SENT_N_SCALAR;
				negated = 1;
			}
		} else if (d == 2) {" "		} else if (d == 2) {"
mut never_so "			if (p->special == SP_NEVER &&
			    (u[i - 1].special == SP_SO || u[i - 1].special == SP_THIS)) {
				v *= 1.25;
			} else if (p->special == SP_WITHOUT" "			if (p->special == SP_WITHOUT"
mut without_doubt "			} else if (p->special == SP_WITHOUT && u[i - 1].special == SP_DOUBT) {
				/* \"without doubt\" affirms */
			} else if (p->neg) {" "			} else if (p->neg) {"
mut no_zero "	if (u[i].special == SP_NO && i + 1 < n" "	if (0 && u[i].special == SP_NO && i + 1 < n"
mut no_negates "	if ((i > 0 && u[i - 1].special == SP_NO)" "	if (0 && (i > 0 && u[i - 1].special == SP_NO)"
mut least "	if (i > 0 && u[i - 1].special == SP_LEAST" "	if (0 && i > 0 && u[i - 1].special == SP_LEAST"
mut least_at "		if (i == 1 || (u[i - 2].special != SP_AT && u[i - 2].special != SP_VERY)) {" "		if (1) {"
mut idiom "	if (flags & SENT_F_IDIOM)
		return e->valence;" ""
mut ep "	punct = (ep > 4 ? 4 : ep) * 0.292;" "	punct = 0;"
mut ep_cap "	punct = (ep > 4 ? 4 : ep) * 0.292;" "	punct = ep * 0.292;"
mut qm "		punct += qm <= 3 ? qm * 0.18 : 0.96;" "		punct += 0;"
mut qm_flat "		punct += qm <= 3 ? qm * 0.18 : 0.96;" "		punct += qm * 0.18;"
mut nt "		if (k[i] == 'n' && k[i + 1] == '\\'' && k[i + 2] == 't')" "		if (0)"
mut emoticon "	if (sa != a || sb != b) {
		if (idx >= 0 && (m->ent[idx].flags & VALUED)) {" "	if (sa != a || sb != b) {
		if (0) {"
mut emoji_split "		if (cp >= 0 && (is_emoji(cp) || is_emoji_modifier(cp))) {" "		if (0) {"
mut phrase_break "				if (s->tok[i + k - 1].brk_after || s->tok[i + k].brk_before)" "				if (0)"
mut negonly "	if (negonly && !negated)
		return 0.0;" ""
mut pos_share "			pos += v + 1;" "			pos += v;"
mut punct_share "		if (pos > neg)
			pos += punct;" "		if (0)
			pos += punct;"
mut booster_zero "	if (!(flags & VALUED) || (flags & SENT_F_BOOSTER))" "	if (!(flags & VALUED))"
mut aux "		if (i + 1 < n && !u[i].brk_after &&" "		if (0 &&"
mut aux_exempt "(VALUED | SENT_F_BOOSTER | SENT_F_NEGATE | SENT_F_EXEMPT | SENT_F_AUX)" "(VALUED | SENT_F_BOOSTER | SENT_F_NEGATE | SENT_F_AUX)"
mut contrast_word "				 (flags_of(m, &s->unit[i]) & SENT_F_CONTRAST))) {" "				 0)) {"
mut negated_contrast "	if (!has_but && (m->options & SENT_OPT_NEGATED_CONTRAST))" "	if (0)"
mut negated_contrast_needs_compliment "			if (s->val[k] > 0) {" "			if (1) {"
mut pattern_negation "		if (plen && plen >= len) {" "		if (0) {"
mut money_no_break "	u->brk_before = (uint8_t)((sa > a && !(u->money && only_dollars(a, sa))) ||" "	u->brk_before = (uint8_t)((sa > a) ||"
