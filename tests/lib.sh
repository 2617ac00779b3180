# Shell test helpers: source it from tests/tNNNN-*.sh (cwd = the repository root).
#   fresh_db        create an empty database with every migration applied (a copy of
#                   MI_TEMPLATE_DB), export PGDATABASE, and drop it when the test exits
#   fail MSG        print MSG and exit 1
#   skip MSG        print MSG and exit 77
#   t_tmp           a scratch folder for this test, removed when the test exits
set -u
fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "skip: $*"; exit 77; }
_t_cleanup_cmds=""
t_cleanup() { _t_cleanup_cmds="$_t_cleanup_cmds
$*"; }
trap 'eval "$_t_cleanup_cmds"' EXIT
t_tmp=$(mktemp -d "${MI_TEST_TMP:-/tmp}/t.XXXXXX")
chmod 755 "$t_tmp"
t_cleanup "rm -rf '$t_tmp'"
fresh_db() {
	PGDATABASE="t_$(basename "$0" .sh | tr -c 'a-z0-9\n' '_')_$$"
	export PGDATABASE
	createdb -T "${MI_TEMPLATE_DB:-mi_template}" "$PGDATABASE" || fail "createdb $PGDATABASE"
	t_cleanup "dropdb --if-exists --force '$PGDATABASE' >/dev/null 2>&1"
}
