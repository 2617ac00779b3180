-- 013_owner_display.sql: the owner's name as a person would write it, next to the
-- roll's form (owner_name).  Filled by sql/load/owners.sql from owners.tsv's
-- owner_display (pipeline/owner.h); a known value is never overwritten by an empty one.

ALTER TABLE external.properties ADD COLUMN owner_display text;

COMMENT ON COLUMN external.properties.owner_display IS 'Current owner name as a person would write it (e.g. Mark & Jennifer Kessler for KESSLER,MARK & JENNIFER), derived from owner_name by the parser (owner.h); NULL when the name gives no readable form.';
