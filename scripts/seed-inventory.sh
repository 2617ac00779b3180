#!/bin/sh
# The seed document's Priority 1 inventory, "External_Market_Intelligence_external_
# Complete_Table_Inventory.md": the external schema's generated inventory under the name
# the seed asks for.  Written next to DIR/external.md from it (make schema-docs; t0010
# checks it is current like the other files of docs/schema).
#   sh scripts/seed-inventory.sh DIR
set -eu
dir=$1
name=External_Market_Intelligence_external_Complete_Table_Inventory.md
{
	echo '# External Market Intelligence: `external` Complete Table Inventory'
	echo
	echo 'The inventory the seed document asks for as its Priority 1 ("Create Missing Inventory"):'
	echo 'the six tables of the `external` schema, column by column.  The same content as'
	echo '[external.md](external.md), generated from the live catalog by `make schema-docs`.'
	echo
	sed '1,2{/^# Schema `external`$/d; /^$/d}' "$dir/external.md"
} >"$dir/$name.tmp"
mv "$dir/$name.tmp" "$dir/$name"
