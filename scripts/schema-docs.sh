#!/bin/sh
# Regenerate docs/schema/*.md: apply sql/ to a fresh throwaway database and write the
# inventory from its catalog.  Run after changing anything in sql/ (make schema-docs).
set -eu
top=$(pwd)
tmp=$(mktemp -d /tmp/mi-docs.XXXXXX)
trap 'sh "$top/scripts/pg.sh" stop "$tmp/pg" >/dev/null 2>&1; rm -rf "$tmp"' EXIT
eval "$(sh scripts/pg.sh start "$tmp/pg" --fast)"
createdb docs
PGDATABASE=docs "${MI_BIN:-bin}/mi-migrate" --dir sql >/dev/null
mkdir -p docs/schema
PGDATABASE=docs "${MI_BIN:-bin}/mi-migrate" --inventory --out-dir docs/schema
sh scripts/seed-inventory.sh docs/schema
echo "docs/schema: $(ls docs/schema)"
