-- 002_external.sql: the six market-intelligence tables of the external schema
-- and the partition helpers of external.property_pricing.
--
-- Listings (platform + listing id, matched TMK) live in etl.listings (004):
-- the user's document fixes external at exactly six tables.  The foreign
-- key from property_reviews to etl.listings is added in 004.

-- ---------------------------------------------------------------------------
-- external.properties
-- ---------------------------------------------------------------------------
CREATE TABLE external.properties (
    tmk                      external.tmk PRIMARY KEY,
    county                   smallint GENERATED ALWAYS AS (substr(tmk, 1, 1)::smallint) STORED,
    zone                     smallint GENERATED ALWAYS AS (substr(tmk, 2, 1)::smallint) STORED,
    section                  smallint GENERATED ALWAYS AS (substr(tmk, 3, 1)::smallint) STORED,
    plat                     smallint GENERATED ALWAYS AS (substr(tmk, 4, 3)::smallint) STORED,
    parcel                   smallint GENERATED ALWAYS AS (substr(tmk, 7, 3)::smallint) STORED,
    cpr                      smallint GENERATED ALWAYS AS (substr(tmk, 10, 4)::smallint) STORED,
    parcel9                  text GENERATED ALWAYS AS (substr(tmk, 1, 9)) STORED,
    tmk_display              text GENERATED ALWAYS AS (
                                 '(' || substr(tmk, 1, 1) || ') ' || substr(tmk, 2, 1) || '-'
                                 || substr(tmk, 3, 1) || '-' || substr(tmk, 4, 3) || ':'
                                 || substr(tmk, 7, 3)
                                 || CASE WHEN substr(tmk, 10, 4) = '0000' THEN ''
                                         ELSE '-' || substr(tmk, 10, 4) END) STORED,
    tmk_raw                  text,
    tmk_county_inferred      boolean NOT NULL DEFAULT false,
    address                  text,
    address_key              text,
    unit                     text,
    city                     text,
    zip                      text CHECK (zip ~ '^96[78][0-9]{2}(-[0-9]{4})?$'),
    island                   text CHECK (island IN ('Oahu', 'Maui', 'Molokai', 'Lanai',
                                                    'Kahoolawe', 'Hawaii', 'Kauai', 'Niihau')),
    district                 text,
    latitude                 numeric(9,6) CHECK (latitude BETWEEN 18.5 AND 28.5),
    longitude                numeric(10,6) CHECK (longitude BETWEEN -178.5 AND -154.5),
    property_type            text CHECK (property_type IN (
                                 'single_family', 'condo', 'townhouse', 'multi_family',
                                 'vacant_land', 'agricultural', 'commercial', 'hotel_condo',
                                 'timeshare', 'other')),
    bedrooms                 smallint CHECK (bedrooms BETWEEN 0 AND 100),
    bathrooms                numeric(4,1) CHECK (bathrooms BETWEEN 0 AND 100),
    max_guests               smallint CHECK (max_guests BETWEEN 1 AND 500),
    living_area_sqft         integer CHECK (living_area_sqft > 0),
    land_area_sqft           numeric(14,1) CHECK (land_area_sqft > 0),
    year_built               smallint CHECK (year_built BETWEEN 1800 AND 2100),
    str_permit_ids           text[] NOT NULL DEFAULT '{}',
    tat_ids                  external.tax_id[] NOT NULL DEFAULT '{}',
    owner_name               text,
    owner_key                text,
    owner_kind               text CHECK (owner_kind IN ('person', 'couple', 'trust', 'entity',
                                                        'government', 'unknown')),
    owner_mailing_address    text,
    owner_mailing_city       text,
    owner_mailing_state      text CHECK (owner_mailing_state ~ '^[A-Z]{2}$'),
    owner_mailing_zip        text,
    owner_mailing_country    text CHECK (owner_mailing_country <> ''),
    owner_mailing_key        text,
    owner_is_absentee        boolean,
    owner_out_of_state       boolean,
    owner_tax_year           smallint CHECK (owner_tax_year BETWEEN 1900 AND 2100),
    current_manager_key      text,
    current_manager_name     text,
    is_self_managed          boolean,
    is_ours                  boolean NOT NULL DEFAULT false,
    tax_class                text,
    tax_class_is_str         boolean,
    homeowner_exemption      boolean,
    assessment_year          smallint CHECK (assessment_year BETWEEN 1900 AND 2100),
    assessed_land_value      etl.money,
    assessed_building_value  etl.money,
    assessed_total_value     numeric(14,2) GENERATED ALWAYS AS (
                                 coalesce(assessed_land_value, 0)
                                 + coalesce(assessed_building_value, 0)) STORED,
    first_seen               date NOT NULL DEFAULT current_date,
    last_seen                date NOT NULL DEFAULT current_date,
    sources                  text[] NOT NULL DEFAULT '{}',
    extra                    jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(extra) = 'object'),
    first_run_id             etl.run_id,
    last_run_id              etl.run_id,
    created_at               timestamptz NOT NULL DEFAULT now(),
    updated_at               timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT properties_seen_order CHECK (last_seen >= first_seen),
    CONSTRAINT properties_island_county CHECK (
        island IS NULL
        OR (county = 1 AND island = 'Oahu')
        OR (county = 2 AND island IN ('Maui', 'Molokai', 'Lanai', 'Kahoolawe'))
        OR (county = 3 AND island = 'Hawaii')
        OR (county = 4 AND island IN ('Kauai', 'Niihau'))),
    CONSTRAINT properties_latlon_pair CHECK ((latitude IS NULL) = (longitude IS NULL))
);

CREATE INDEX properties_parcel9_idx ON external.properties (parcel9);
CREATE INDEX properties_address_key_idx ON external.properties (address_key, unit)
    WHERE address_key IS NOT NULL;
CREATE INDEX properties_owner_key_idx ON external.properties (owner_key)
    WHERE owner_key IS NOT NULL;
CREATE INDEX properties_manager_key_idx ON external.properties (current_manager_key)
    WHERE current_manager_key IS NOT NULL;
CREATE INDEX properties_tat_ids_idx ON external.properties USING gin (tat_ids);
CREATE INDEX properties_latlon_idx ON external.properties (latitude, longitude)
    WHERE latitude IS NOT NULL;
CREATE INDEX properties_ours_idx ON external.properties (tmk) WHERE is_ours;
CREATE INDEX properties_last_seen_idx ON external.properties (last_seen);

CREATE TRIGGER properties_touch BEFORE UPDATE ON external.properties
    FOR EACH ROW EXECUTE FUNCTION etl.touch_updated_at();

COMMENT ON TABLE external.properties IS
    'The TMK-keyed market property registry: one row per parcel or CPR unit seen in any source (county rolls, parcel pages, sales, matched listings). Upserted by mi-load on tmk; first_seen/last_seen/sources track where and when it was seen. Owner and manager columns hold the current state; history lives in property_sales and property_managers.';
COMMENT ON COLUMN external.properties.tmk IS
    'Canonical 13-digit Tax Map Key CZSPPPPPPCCCC (natural key); CPR 0000 = whole parcel or condo master record.';
COMMENT ON COLUMN external.properties.county IS
    'TMK county digit, derived from tmk: 1 Honolulu (Oahu), 2 Maui (Maui, Molokai, Lanai, Kahoolawe), 3 Hawaii Island, 4 Kauai (Kauai, Niihau).';
COMMENT ON COLUMN external.properties.zone IS 'TMK zone digit (1-9), derived from tmk.';
COMMENT ON COLUMN external.properties.section IS 'TMK section digit (1-9), derived from tmk.';
COMMENT ON COLUMN external.properties.plat IS 'TMK plat number (1-999), derived from tmk.';
COMMENT ON COLUMN external.properties.parcel IS 'TMK parcel number within the plat (0-999), derived from tmk.';
COMMENT ON COLUMN external.properties.cpr IS
    'Condominium Property Regime unit number (0 = whole parcel or CPR master record), derived from tmk. Not the apartment number.';
COMMENT ON COLUMN external.properties.parcel9 IS
    'First 9 digits of tmk (county + zone + section + plat + parcel): joins a CPR unit to its land parcel and to 9-digit GIS keys.';
COMMENT ON COLUMN external.properties.tmk_display IS
    'Human display form (C) Z-S-PPP:PPP or (C) Z-S-PPP:PPP-CCCC, derived from tmk.';
COMMENT ON COLUMN external.properties.tmk_raw IS
    'The TMK exactly as first written by the source that created this row (before normalization), for audit.';
COMMENT ON COLUMN external.properties.tmk_county_inferred IS
    'True when the source did not carry the county digit and the parser inferred it (from the source system, island, place or ZIP).';
COMMENT ON COLUMN external.properties.address IS
    'Situs (property) street address as published by the county or listing, without the unit.';
COMMENT ON COLUMN external.properties.address_key IS
    'Normalized situs address key (upper case, standard suffixes, okina/kahako folded) used for listing-to-parcel matching.';
COMMENT ON COLUMN external.properties.unit IS 'Apartment or unit designation as written in the address (not the CPR number).';
COMMENT ON COLUMN external.properties.city IS 'Situs city or place name (e.g. Kihei, Haleiwa).';
COMMENT ON COLUMN external.properties.zip IS 'Situs ZIP code, 5 digits or ZIP+4; Hawaii ZIPs are 967xx and 968xx.';
COMMENT ON COLUMN external.properties.island IS
    'Island name as the normalizer writes it (Oahu, Maui, Molokai, Lanai, Kahoolawe, Hawaii, Kauai, Niihau, without okina); must agree with county.';
COMMENT ON COLUMN external.properties.district IS
    'Community-plan district or market area (e.g. Kihei-Makena, North Kona, Koloa-Poipu) used for comp sets and reports.';
COMMENT ON COLUMN external.properties.latitude IS 'WGS84 latitude in decimal degrees of the parcel or building centroid.';
COMMENT ON COLUMN external.properties.longitude IS 'WGS84 longitude in decimal degrees (negative, west) of the parcel or building centroid.';
COMMENT ON COLUMN external.properties.property_type IS
    'Normalized property type: single_family, condo, townhouse, multi_family, vacant_land, agricultural, commercial, hotel_condo, timeshare, other.';
COMMENT ON COLUMN external.properties.bedrooms IS 'Number of bedrooms (county dwelling record or best listing evidence).';
COMMENT ON COLUMN external.properties.bathrooms IS 'Number of bathrooms, half baths as .5 (e.g. 2.5).';
COMMENT ON COLUMN external.properties.max_guests IS 'Maximum guests (occupancy) as advertised by the best matched listing.';
COMMENT ON COLUMN external.properties.living_area_sqft IS 'Living area in square feet (county dwelling record).';
COMMENT ON COLUMN external.properties.land_area_sqft IS 'Land area in square feet (county parcel record; acres x 43,560).';
COMMENT ON COLUMN external.properties.year_built IS 'Year the main dwelling was built (county dwelling record).';
COMMENT ON COLUMN external.properties.str_permit_ids IS
    'County short-term-rental permit or registration ids tied to this parcel (Maui STKM/STWM..., Hawaii County STVR-..., Honolulu NUC or registration, Kauai TVNC-/TVR-).';
COMMENT ON COLUMN external.properties.tat_ids IS
    'Transient Accommodations Tax (TA-) and General Excise (GE-) ids seen in listings matched to this parcel; used to match later listings (method tat_id).';
COMMENT ON COLUMN external.properties.owner_name IS 'Current tax-bill owner name exactly as on the county roll (e.g. SMITH,JOHN A TR).';
COMMENT ON COLUMN external.properties.owner_key IS 'Normalized owner key (name folded, trust/entity markers normalized) used to de-duplicate prospects.';
COMMENT ON COLUMN external.properties.owner_kind IS 'Owner classification: person, couple, trust, entity, government or unknown.';
COMMENT ON COLUMN external.properties.owner_mailing_address IS 'Owner mailing street address (care-of line first when present) as on the roll.';
COMMENT ON COLUMN external.properties.owner_mailing_city IS 'Owner mailing city.';
COMMENT ON COLUMN external.properties.owner_mailing_state IS 'Owner mailing state or province, two-letter code (HI, CA ...).';
COMMENT ON COLUMN external.properties.owner_mailing_zip IS 'Owner mailing postal code as written (ZIP, ZIP+4 or foreign postal code).';
COMMENT ON COLUMN external.properties.owner_mailing_country IS 'Owner mailing country as written on the roll, folded to upper case (JAPAN, CANADA ...); NULL when none is written (US).';
COMMENT ON COLUMN external.properties.owner_mailing_key IS 'Normalized mailing address key; with owner_key it de-duplicates prospects.';
COMMENT ON COLUMN external.properties.owner_is_absentee IS 'True when the owner mailing address differs from the situs address (owner does not live there).';
COMMENT ON COLUMN external.properties.owner_out_of_state IS 'True when the owner mailing address is outside Hawaii.';
COMMENT ON COLUMN external.properties.owner_tax_year IS 'Tax year of the owner roll the owner columns come from.';
COMMENT ON COLUMN external.properties.current_manager_key IS
    'manager_key of the current property_managers row (denormalized for the lead engine); NULL when no listing is known.';
COMMENT ON COLUMN external.properties.current_manager_name IS 'Display name of the current manager (copy of the current property_managers row).';
COMMENT ON COLUMN external.properties.is_self_managed IS 'True when the current manager row says the owner or an individual host runs the rental.';
COMMENT ON COLUMN external.properties.is_ours IS 'True when the property is in our own management portfolio (excluded from the lead queue, subject of competitive sets).';
COMMENT ON COLUMN external.properties.tax_class IS
    'County tax rate or property class code as published (e.g. Maui 11 TVR-STRH, Honolulu ovrclass 14, Kauai CLASS 2).';
COMMENT ON COLUMN external.properties.tax_class_is_str IS 'True when tax_class is the county''s short-term/transient vacation rental class.';
COMMENT ON COLUMN external.properties.homeowner_exemption IS 'True when the parcel carries a homeowner (owner-occupant) exemption: a strong sign it is not a rental.';
COMMENT ON COLUMN external.properties.assessment_year IS 'Tax year of the assessed values.';
COMMENT ON COLUMN external.properties.assessed_land_value IS 'County assessed land value in USD (before exemptions).';
COMMENT ON COLUMN external.properties.assessed_building_value IS 'County assessed building value in USD (before exemptions).';
COMMENT ON COLUMN external.properties.assessed_total_value IS 'assessed_land_value + assessed_building_value in USD (derived; 0 when both unknown).';
COMMENT ON COLUMN external.properties.first_seen IS 'Date the pipeline first saw this TMK in any source.';
COMMENT ON COLUMN external.properties.last_seen IS 'Date the pipeline last saw this TMK in any source.';
COMMENT ON COLUMN external.properties.sources IS 'Source ids (config/ names) that have reported this TMK, without duplicates.';
COMMENT ON COLUMN external.properties.extra IS 'Source fields not yet modelled as columns (JSON object), kept so a format drift loses nothing.';
COMMENT ON COLUMN external.properties.first_run_id IS 'etl.runs.run_id of the run that created the row (not a foreign key: a stage run alone needs no ledger row, and runs may be purged).';
COMMENT ON COLUMN external.properties.last_run_id IS 'etl.runs.run_id of the last run that changed or confirmed the row.';
COMMENT ON COLUMN external.properties.created_at IS 'When the row was inserted.';
COMMENT ON COLUMN external.properties.updated_at IS 'When the row was last updated (set by trigger).';

-- ---------------------------------------------------------------------------
-- external.property_managers (type-2 history)
-- ---------------------------------------------------------------------------
CREATE TABLE external.property_managers (
    manager_history_id  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tmk                 external.tmk NOT NULL REFERENCES external.properties (tmk),
    manager_key         text NOT NULL CHECK (manager_key <> ''),
    manager_name        text,
    manager_kind        text NOT NULL DEFAULT 'unknown'
                        CHECK (manager_kind IN ('pm_company', 'individual_host', 'owner', 'unknown')),
    is_self_managed     boolean NOT NULL DEFAULT false,
    host_ids            text[] NOT NULL DEFAULT '{}',
    listing_refs        text[] NOT NULL DEFAULT '{}',
    evidence            jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(evidence) = 'object'),
    confidence          etl.fraction,
    valid_from          date NOT NULL,
    valid_to            date,
    is_current          boolean NOT NULL DEFAULT true,
    last_confirmed_on   date,
    source              etl.source_id,
    first_run_id        etl.run_id,
    last_run_id         etl.run_id,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT property_managers_current_open CHECK (is_current = (valid_to IS NULL)),
    CONSTRAINT property_managers_valid_order CHECK (valid_to IS NULL OR valid_to >= valid_from),
    CONSTRAINT property_managers_confirmed_order CHECK (last_confirmed_on IS NULL OR last_confirmed_on >= valid_from),
    CONSTRAINT property_managers_self_kind CHECK (NOT is_self_managed OR manager_kind IN ('individual_host', 'owner')),
    CONSTRAINT property_managers_tmk_from_key UNIQUE (tmk, valid_from)
);

CREATE UNIQUE INDEX property_managers_one_current ON external.property_managers (tmk)
    WHERE is_current;
CREATE INDEX property_managers_manager_current_idx ON external.property_managers (manager_key)
    WHERE is_current;
CREATE INDEX property_managers_listing_refs_idx ON external.property_managers USING gin (listing_refs);

CREATE TRIGGER property_managers_touch BEFORE UPDATE ON external.property_managers
    FOR EACH ROW EXECUTE FUNCTION etl.touch_updated_at();

COMMENT ON TABLE external.property_managers IS
    'Property-manager history per TMK (type-2): one row per period during which one manager ran the rental, valid_from inclusive to valid_to exclusive; exactly one current row per TMK (partial unique index property_managers_one_current). mi-load closes the current row and opens a new one when the manager changes, and records a manager_changed change event: a manager change is a hot lead.';
COMMENT ON COLUMN external.property_managers.manager_history_id IS 'Surrogate key of the history row.';
COMMENT ON COLUMN external.property_managers.tmk IS 'The property (external.properties.tmk).';
COMMENT ON COLUMN external.property_managers.manager_key IS
    'Normalized manager identity: the company key for a PM company (name folded, suffixes dropped), host:<platform>:<host id> for an individual host, owner:<owner key> for the owner.';
COMMENT ON COLUMN external.property_managers.manager_name IS 'Manager display name as seen on the listing or PM site.';
COMMENT ON COLUMN external.property_managers.manager_kind IS 'pm_company (professional manager), individual_host, owner (owner runs it) or unknown.';
COMMENT ON COLUMN external.property_managers.is_self_managed IS 'True when the rental is run by the owner or a one-property individual host rather than a PM company: a lead signal.';
COMMENT ON COLUMN external.property_managers.host_ids IS 'Platform host ids (platform:host_id) behind the listings that showed this manager.';
COMMENT ON COLUMN external.property_managers.listing_refs IS 'The listings that showed this manager, as platform:listing_id (keys of etl.listings).';
COMMENT ON COLUMN external.property_managers.evidence IS
    'Why this manager was assigned (JSON object): e.g. listing host name, host listing count, PM site URL, JSON-LD brand, matched text.';
COMMENT ON COLUMN external.property_managers.confidence IS 'Confidence 0-1 of the manager assignment (combines the TMK match confidence and the manager evidence).';
COMMENT ON COLUMN external.property_managers.valid_from IS 'First date this manager was observed for the TMK (inclusive).';
COMMENT ON COLUMN external.property_managers.valid_to IS 'Date a different manager was first observed (exclusive); NULL while current.';
COMMENT ON COLUMN external.property_managers.is_current IS 'True for the one open row of the TMK (valid_to IS NULL).';
COMMENT ON COLUMN external.property_managers.last_confirmed_on IS 'Last snapshot date on which a source still showed this manager.';
COMMENT ON COLUMN external.property_managers.source IS 'Source id that produced the observation that opened this row.';
COMMENT ON COLUMN external.property_managers.first_run_id IS 'etl.runs.run_id of the run that opened the row.';
COMMENT ON COLUMN external.property_managers.last_run_id IS 'etl.runs.run_id of the last run that confirmed or closed the row.';
COMMENT ON COLUMN external.property_managers.created_at IS 'When the row was inserted.';
COMMENT ON COLUMN external.property_managers.updated_at IS 'When the row was last updated (set by trigger).';

-- ---------------------------------------------------------------------------
-- external.property_sales (one row per recorded document; parcels in tmks)
-- ---------------------------------------------------------------------------
CREATE TABLE external.property_sales (
    sale_id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    county                  smallint NOT NULL CHECK (county BETWEEN 1 AND 4),
    tmk                     external.tmk NOT NULL REFERENCES external.properties (tmk),
    tmks                    external.tmk[] NOT NULL,
    portion_tmks            external.tmk[] NOT NULL DEFAULT '{}',
    parcel_count            integer GENERATED ALWAYS AS (cardinality(tmks)) STORED,
    document_no             text CHECK (document_no <> '' AND octet_length(document_no) <= 40
                                        AND document_no !~ '[^!-~]' AND document_no !~ '^[0-]+$'),
    land_court_no           text CHECK (land_court_no <> '' AND octet_length(land_court_no) <= 40
                                        AND land_court_no !~ '[^!-~]' AND land_court_no !~ '^[0-]+$'),
    certificate_no          text,
    book                    text,
    page                    text,
    record_hash             etl.sha256 NOT NULL,
    sale_key                text NOT NULL GENERATED ALWAYS AS (
                                county::text || ':'
                                || CASE WHEN document_no IS NOT NULL THEN 'doc:' || document_no
                                        WHEN land_court_no IS NOT NULL THEN 'lc:' || land_court_no
                                        ELSE 'hash:' || record_hash END) STORED,
    recording_date          date CHECK (recording_date > '1850-01-01' AND recording_date <> '1900-01-01'),
    sale_date               date CHECK (sale_date > '1850-01-01' AND sale_date <> '1900-01-01'),
    price                   etl.money,
    conveyance_tax          etl.money,
    instrument_type         text,
    document_type           text,
    validity_code           text,
    sale_type               text,
    is_arms_length          boolean,
    is_land_court           boolean NOT NULL DEFAULT false,
    grantor                 text,
    grantee                 text,
    grantee_key             text,
    buyer_mailing_address   text,
    buyer_mailing_state     text CHECK (buyer_mailing_state ~ '^[A-Z]{2}$'),
    buyer_is_out_of_state   boolean,
    buyer_is_absentee       boolean,
    flags                   text[] NOT NULL DEFAULT '{}' CHECK (etl.codes_valid(flags)),
    source                  etl.source_id NOT NULL,
    landing_hash            etl.sha256,
    src_line                bigint CHECK (src_line >= 1),
    extra                   jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(extra) = 'object'),
    first_run_id            etl.run_id,
    last_run_id             etl.run_id,
    created_at              timestamptz NOT NULL DEFAULT now(),
    updated_at              timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT property_sales_key UNIQUE (sale_key),
    CONSTRAINT property_sales_tmk_in_tmks CHECK (tmk = ANY (tmks::text[])),
    CONSTRAINT property_sales_tmks_size CHECK (cardinality(tmks) BETWEEN 1 AND 1000
                                               AND array_position(tmks, NULL) IS NULL),
    CONSTRAINT property_sales_portion_subset CHECK (portion_tmks::text[] <@ tmks::text[]),
    CONSTRAINT property_sales_tmk_county CHECK (substr(tmk, 1, 1)::smallint = county),
    CONSTRAINT property_sales_land_court_flag CHECK (land_court_no IS NULL OR is_land_court)
);

CREATE UNIQUE INDEX property_sales_land_court_key ON external.property_sales (county, land_court_no)
    WHERE land_court_no IS NOT NULL;
CREATE INDEX property_sales_tmks_idx ON external.property_sales USING gin (tmks);
CREATE INDEX property_sales_tmk_date_idx ON external.property_sales (tmk, recording_date DESC);
CREATE INDEX property_sales_recording_date_idx ON external.property_sales (recording_date);
CREATE INDEX property_sales_grantee_key_idx ON external.property_sales (grantee_key)
    WHERE grantee_key IS NOT NULL;

CREATE TRIGGER property_sales_touch BEFORE UPDATE ON external.property_sales
    FOR EACH ROW EXECUTE FUNCTION etl.touch_updated_at();

COMMENT ON TABLE external.property_sales IS
    'County sale (conveyance) records: one row per recorded document, even when the deed covers several parcels (all parcels in tmks, the price counted once). Natural key sale_key = county + document number, else Land Court number, else content hash. A sale is a hot lead (sale_recorded change event).';
COMMENT ON COLUMN external.property_sales.sale_id IS 'Surrogate key of the sale.';
COMMENT ON COLUMN external.property_sales.county IS 'County digit (1-4) of the source that recorded the sale; part of the natural key.';
COMMENT ON COLUMN external.property_sales.tmk IS 'Primary parcel of the document (the first parcel listed); always an element of tmks. Condo sales are on the CPR unit, never the 0000 master.';
COMMENT ON COLUMN external.property_sales.tmks IS 'Every parcel the document conveys (multi-parcel deeds); search with tmks @> ARRAY[...] (GIN index).';
COMMENT ON COLUMN external.property_sales.portion_tmks IS 'Subset of tmks conveyed only in part ((P) portion in the source).';
COMMENT ON COLUMN external.property_sales.parcel_count IS 'Number of parcels in tmks (derived).';
COMMENT ON COLUMN external.property_sales.document_no IS
    'Regular System document/instrument number (Maui INSTRUNO); placeholders such as 0000000000, 0 or - are stored as NULL.';
COMMENT ON COLUMN external.property_sales.land_court_no IS 'Land Court document number (e.g. T13017068); unique per county when present.';
COMMENT ON COLUMN external.property_sales.certificate_no IS 'Land Court certificate of title number (CERT_NO).';
COMMENT ON COLUMN external.property_sales.book IS 'Liber (book) of an old Regular System recording.';
COMMENT ON COLUMN external.property_sales.page IS 'Page of an old Regular System recording.';
COMMENT ON COLUMN external.property_sales.record_hash IS 'SHA-256 of the normalized sale record (parser-defined field order); the natural key when no document number exists.';
COMMENT ON COLUMN external.property_sales.sale_key IS
    'Natural key (derived, unique): <county>:doc:<document_no>, else <county>:lc:<land_court_no>, else <county>:hash:<record_hash>. mi-load merges with ON CONFLICT (sale_key).';
COMMENT ON COLUMN external.property_sales.recording_date IS 'Date the document was recorded at the Bureau of Conveyances.';
COMMENT ON COLUMN external.property_sales.sale_date IS 'Sale (contract or deed) date as reported by the county; 1900-01-01 placeholders are stored as NULL.';
COMMENT ON COLUMN external.property_sales.price IS 'Consideration in USD for the whole document (counted once for multi-parcel deeds); NULL when not disclosed.';
COMMENT ON COLUMN external.property_sales.conveyance_tax IS 'State conveyance tax paid in USD (HRS ch. 247); tax/price hints at the rate schedule (owner-occupant or not).';
COMMENT ON COLUMN external.property_sales.instrument_type IS 'Instrument type as published (e.g. fee conveyance, ownership correction).';
COMMENT ON COLUMN external.property_sales.document_type IS 'Document type as published (e.g. deed, apartment deed, quitclaim deed).';
COMMENT ON COLUMN external.property_sales.validity_code IS 'County sale validity code as published (Maui: 0 valid, 4 related parties, 8 developer sale ...).';
COMMENT ON COLUMN external.property_sales.sale_type IS 'County sale type code as published (Maui SALETYP).';
COMMENT ON COLUMN external.property_sales.is_arms_length IS 'Our classification: true for a market (arm''s-length) transfer, false for related-party, correction or nominal transfers, NULL when unknown.';
COMMENT ON COLUMN external.property_sales.is_land_court IS 'True when the document is recorded in the Land Court (Torrens) system, alone or dual.';
COMMENT ON COLUMN external.property_sales.grantor IS 'Seller name(s) as recorded.';
COMMENT ON COLUMN external.property_sales.grantee IS 'Buyer name(s) as recorded.';
COMMENT ON COLUMN external.property_sales.grantee_key IS 'Normalized buyer key (same rules as properties.owner_key) to link the sale to a prospect.';
COMMENT ON COLUMN external.property_sales.buyer_mailing_address IS 'Buyer mailing address when the source gives it.';
COMMENT ON COLUMN external.property_sales.buyer_mailing_state IS 'Buyer mailing state, two-letter code.';
COMMENT ON COLUMN external.property_sales.buyer_is_out_of_state IS 'True when the buyer mails outside Hawaii (weighs more in the opportunity score).';
COMMENT ON COLUMN external.property_sales.buyer_is_absentee IS 'True when the buyer mailing address is not the situs address.';
COMMENT ON COLUMN external.property_sales.flags IS
    'Parser flags on the record, lower-case codes (e.g. price_equals_tax for route slips, transposed_price_tax, repeated_price).';
COMMENT ON COLUMN external.property_sales.source IS 'Source id (config/ name) the record came from.';
COMMENT ON COLUMN external.property_sales.landing_hash IS 'SHA-256 of the landed input body the record was parsed from (the raw bytes are kept in the landing store).';
COMMENT ON COLUMN external.property_sales.src_line IS 'Line number of the (first) record in that input.';
COMMENT ON COLUMN external.property_sales.extra IS 'Source fields not modelled as columns (JSON object).';
COMMENT ON COLUMN external.property_sales.first_run_id IS 'etl.runs.run_id of the run that inserted the sale.';
COMMENT ON COLUMN external.property_sales.last_run_id IS 'etl.runs.run_id of the last run that changed or confirmed the sale.';
COMMENT ON COLUMN external.property_sales.created_at IS 'When the row was inserted.';
COMMENT ON COLUMN external.property_sales.updated_at IS 'When the row was last updated (set by trigger).';

-- ---------------------------------------------------------------------------
-- external.property_reviews
-- ---------------------------------------------------------------------------
CREATE TABLE external.property_reviews (
    property_review_id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    platform                etl.source_id NOT NULL,
    review_id               etl.external_id NOT NULL,
    listing_id              etl.external_id NOT NULL,
    review_date             date,
    reviewer_id             etl.external_id,
    reviewer_name           text,
    rating                  numeric(5,2),
    rating_scale            numeric(5,2) CHECK (rating_scale > 0),
    category_ratings        jsonb NOT NULL DEFAULT '{}'
                            CHECK (etl.jsonb_scores_valid(category_ratings, NULL, 0, 100)),
    review_text             text,
    language                text CHECK (language ~ '^([a-z]{2,3}(-[A-Za-z0-9]{2,8})?|und)$'),
    host_response           text,
    host_response_date      date,
    sentiment_compound      numeric(5,4) CHECK (sentiment_compound BETWEEN -1 AND 1),
    sentiment_pos           etl.fraction,
    sentiment_neu           etl.fraction,
    sentiment_neg           etl.fraction,
    aspect_scores           jsonb NOT NULL DEFAULT '{}'
                            CHECK (etl.jsonb_scores_valid(aspect_scores, NULL, -1, 1)),
    complaint_flags         text[] NOT NULL DEFAULT '{}' CHECK (etl.codes_valid(complaint_flags)),
    opportunity_contribution etl.score100,
    scorer_version          text,
    scored_at               timestamptz,
    source                  etl.source_id NOT NULL,
    landing_hash            etl.sha256,
    src_line                bigint CHECK (src_line >= 1),
    first_run_id            etl.run_id,
    last_run_id             etl.run_id,
    created_at              timestamptz NOT NULL DEFAULT now(),
    updated_at              timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT property_reviews_key UNIQUE (platform, review_id),
    CONSTRAINT property_reviews_rating_range CHECK (
        rating IS NULL OR (rating_scale IS NOT NULL AND rating >= 0 AND rating <= rating_scale)),
    CONSTRAINT property_reviews_scored_version CHECK (
        sentiment_compound IS NULL OR scorer_version IS NOT NULL)
);

CREATE INDEX property_reviews_listing_date_idx
    ON external.property_reviews (platform, listing_id, review_date DESC);
CREATE INDEX property_reviews_date_idx ON external.property_reviews (review_date);

CREATE TRIGGER property_reviews_touch BEFORE UPDATE ON external.property_reviews
    FOR EACH ROW EXECUTE FUNCTION etl.touch_updated_at();

COMMENT ON TABLE external.property_reviews IS
    'Guest reviews scraped from platforms and PM sites, with sentiment and vacation-rental aspect scores from mi-score. Natural key (platform, review_id); a review belongs to a listing (etl.listings), which carries the TMK match. Negative scores on manager-controlled aspects feed the opportunity score.';
COMMENT ON COLUMN external.property_reviews.property_review_id IS 'Surrogate key of the review.';
COMMENT ON COLUMN external.property_reviews.platform IS 'Platform that owns the review id (airbnb, vrbo, or a PM site key); with review_id the natural key.';
COMMENT ON COLUMN external.property_reviews.review_id IS 'Review id on that platform, as text (Airbnb ids reach 19 digits); a content hash when the source has no id.';
COMMENT ON COLUMN external.property_reviews.listing_id IS 'Listing id on the same platform (etl.listings key with platform).';
COMMENT ON COLUMN external.property_reviews.review_date IS 'Date the review was published (or the stay date when only that is given).';
COMMENT ON COLUMN external.property_reviews.reviewer_id IS 'Reviewer id on the platform, when published.';
COMMENT ON COLUMN external.property_reviews.reviewer_name IS 'Reviewer display name as published.';
COMMENT ON COLUMN external.property_reviews.rating IS 'Overall rating given by the guest on the platform''s scale (NULL when the source has none, e.g. Inside Airbnb).';
COMMENT ON COLUMN external.property_reviews.rating_scale IS 'Maximum of the rating scale (5 for Airbnb stars, 10 for Hostaway ...); required when rating is set.';
COMMENT ON COLUMN external.property_reviews.category_ratings IS
    'Platform category ratings as a JSON object code -> number 0-100 on the platform''s own scale (e.g. {"cleanliness": 9, "communication": 10}).';
COMMENT ON COLUMN external.property_reviews.review_text IS 'Review body as plain text (HTML line breaks converted).';
COMMENT ON COLUMN external.property_reviews.language IS 'Detected language, ISO 639-1/639-3 code with optional region, or und when undetermined; only en is scored.';
COMMENT ON COLUMN external.property_reviews.host_response IS 'Public response of the host or manager, when the source publishes it.';
COMMENT ON COLUMN external.property_reviews.host_response_date IS 'Date of the host response.';
COMMENT ON COLUMN external.property_reviews.sentiment_compound IS 'VADER-style normalized compound sentiment of the review, -1 (most negative) to +1 (most positive).';
COMMENT ON COLUMN external.property_reviews.sentiment_pos IS 'Proportion of the text scored positive (0-1).';
COMMENT ON COLUMN external.property_reviews.sentiment_neu IS 'Proportion of the text scored neutral (0-1).';
COMMENT ON COLUMN external.property_reviews.sentiment_neg IS 'Proportion of the text scored negative (0-1).';
COMMENT ON COLUMN external.property_reviews.aspect_scores IS
    'Aspect sentiment as a JSON object family -> score -1..1, only for families mentioned (cleanliness, maintenance, communication, checkin, accuracy, amenities, value, noise, location, building).';
COMMENT ON COLUMN external.property_reviews.complaint_flags IS
    'Management-issue flags raised by the scorer, lower-case codes (e.g. dirty, broken, unresponsive, checkin_problem, not_as_described, pests, names_manager).';
COMMENT ON COLUMN external.property_reviews.opportunity_contribution IS 'Points (0-100 scale) this review contributes to its property''s opportunity score, as last computed by mi-leads.';
COMMENT ON COLUMN external.property_reviews.scorer_version IS 'Version of the sentiment scorer and lexicon that produced the scores; required when scores are set.';
COMMENT ON COLUMN external.property_reviews.scored_at IS 'When the scores were computed.';
COMMENT ON COLUMN external.property_reviews.source IS 'Source id (config/ name) the review was fetched from.';
COMMENT ON COLUMN external.property_reviews.landing_hash IS 'SHA-256 of the landed input body the review was parsed from.';
COMMENT ON COLUMN external.property_reviews.src_line IS 'Line number of the review in that input (first line for multi-line records).';
COMMENT ON COLUMN external.property_reviews.first_run_id IS 'etl.runs.run_id of the run that inserted the review.';
COMMENT ON COLUMN external.property_reviews.last_run_id IS 'etl.runs.run_id of the last run that changed or confirmed the review.';
COMMENT ON COLUMN external.property_reviews.created_at IS 'When the row was inserted.';
COMMENT ON COLUMN external.property_reviews.updated_at IS 'When the row was last updated (set by trigger).';

-- ---------------------------------------------------------------------------
-- external.property_pricing: RANGE(snapshot_date) by month, each month LIST
-- (snapshot_date) by snapshot, so a snapshot can be built apart and attached.
-- ---------------------------------------------------------------------------
CREATE TABLE external.property_pricing (
    platform             etl.source_id NOT NULL,
    listing_id           etl.external_id NOT NULL,
    snapshot_date        date NOT NULL,
    stay_date            date NOT NULL,
    available            boolean,
    nightly_rate         etl.money,
    adjusted_rate        etl.money,
    currency             text NOT NULL DEFAULT 'USD' CHECK (octet_length(currency) = 3 AND currency !~ '[^A-Z]'),
    min_nights           integer CHECK (min_nights >= 0),
    max_nights           integer CHECK (max_nights >= 0),
    cleaning_fee         etl.money,
    inferred_status      text CHECK (inferred_status IN ('available', 'booked', 'blocked', 'unknown')),
    inferred_confidence  etl.fraction,
    source               text NOT NULL,
    run_id               text,
    CONSTRAINT property_pricing_pkey PRIMARY KEY (platform, listing_id, snapshot_date, stay_date),
    CONSTRAINT property_pricing_stay_window CHECK (
        stay_date >= snapshot_date - 1 AND stay_date <= snapshot_date + 1100),
    CONSTRAINT property_pricing_inferred_pair CHECK (
        (inferred_status IS NULL) = (inferred_confidence IS NULL))
) PARTITION BY RANGE (snapshot_date);

COMMENT ON TABLE external.property_pricing IS
    'Competitor calendar and price snapshots: one row per (platform, listing, snapshot date, stay date), append-only. Partitioned by RANGE (snapshot_date) per month, each month partition by LIST (snapshot_date) per snapshot; create partitions with external.ensure_pricing_partition(date) or attach a snapshot built apart with external.attach_pricing_snapshot(regclass, date). The biggest table: tens of millions of rows a month.';
COMMENT ON COLUMN external.property_pricing.platform IS 'Platform that owns the listing id (airbnb, vrbo, a PM site key).';
COMMENT ON COLUMN external.property_pricing.listing_id IS 'Listing id on the platform (etl.listings key with platform; not enforced, for load speed).';
COMMENT ON COLUMN external.property_pricing.snapshot_date IS 'Date the calendar was scraped (partition key).';
COMMENT ON COLUMN external.property_pricing.stay_date IS 'The night the row describes (check-in date of that night).';
COMMENT ON COLUMN external.property_pricing.available IS 'True when the night was bookable on the snapshot; false = booked or blocked (platforms do not tell them apart); NULL unknown.';
COMMENT ON COLUMN external.property_pricing.nightly_rate IS 'Listed nightly rate in currency for that night (Inside Airbnb price), NULL when not shown.';
COMMENT ON COLUMN external.property_pricing.adjusted_rate IS 'Adjusted nightly rate (discounts applied) when the source gives one.';
COMMENT ON COLUMN external.property_pricing.currency IS 'ISO 4217 currency of the rates and fees (USD for Hawaii).';
COMMENT ON COLUMN external.property_pricing.min_nights IS 'Minimum stay in nights for a check-in on stay_date.';
COMMENT ON COLUMN external.property_pricing.max_nights IS 'Maximum stay in nights for a check-in on stay_date (platform sentinels such as 2147483647 kept as is).';
COMMENT ON COLUMN external.property_pricing.cleaning_fee IS 'Per-stay cleaning fee shown with the rate, when the source gives one.';
COMMENT ON COLUMN external.property_pricing.inferred_status IS
    'Set by mi-compset from consecutive snapshots: available, booked (turned unavailable before the night), blocked (owner or hold), unknown.';
COMMENT ON COLUMN external.property_pricing.inferred_confidence IS 'Confidence 0-1 of inferred_status; set together with it.';
COMMENT ON COLUMN external.property_pricing.source IS 'Source id (config/ name) the calendar came from; plain text rather than etl.source_id to spare a check per row on the biggest table (the loader writes a validated id).';
COMMENT ON COLUMN external.property_pricing.run_id IS 'etl.runs.run_id of the run that loaded the row (plain text, not a foreign key, for load speed).';

CREATE FUNCTION external.pricing_month_partition(d date) RETURNS regclass
    LANGUAGE plpgsql SET datestyle = 'ISO' AS $$
DECLARE
    m date := date_trunc('month', d)::date;
    n date := (date_trunc('month', d) + interval '1 month')::date;
    bound text := format('FOR VALUES FROM (%L) TO (%L)', m, n);
    name text := format('property_pricing_y%sm%s', to_char(m, 'YYYY'), to_char(m, 'MM'));
    part regclass;
BEGIN
    IF d IS NULL THEN
        RAISE EXCEPTION 'snapshot date must not be null' USING ERRCODE = '22004';
    END IF;
    PERFORM pg_advisory_xact_lock(hashtext('external.property_pricing')::bigint);
    SELECT i.inhrelid::regclass INTO part
      FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent = 'external.property_pricing'::regclass
       AND pg_get_expr(c.relpartbound, c.oid) = bound;
    IF part IS NOT NULL THEN
        RETURN part;
    END IF;
    EXECUTE format('CREATE TABLE external.%I PARTITION OF external.property_pricing '
                   'FOR VALUES FROM (%L) TO (%L) PARTITION BY LIST (snapshot_date)', name, m, n);
    EXECUTE format('COMMENT ON TABLE external.%I IS %L', name,
                   format('Month partition of external.property_pricing for snapshots taken from %s to %s (exclusive); holds one LIST partition per snapshot date.', m, n));
    RETURN format('external.%I', name)::regclass;
END
$$;
COMMENT ON FUNCTION external.pricing_month_partition(date) IS
    'Returns the month partition of external.property_pricing that holds snapshot date d, creating it (partitioned by LIST (snapshot_date), no snapshot partitions yet) when missing. Idempotent and safe under concurrency (transaction advisory lock).';

CREATE FUNCTION external.ensure_pricing_partition(d date) RETURNS regclass
    LANGUAGE plpgsql SET datestyle = 'ISO' AS $$
DECLARE
    month_part regclass := external.pricing_month_partition(d);
    bound text;
    name text := format('property_pricing_s%s', to_char(d, 'YYYYMMDD'));
    part regclass;
BEGIN
    bound := format('FOR VALUES IN (%L)', d);
    SELECT i.inhrelid::regclass INTO part
      FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent = month_part
       AND pg_get_expr(c.relpartbound, c.oid) = bound;
    IF part IS NOT NULL THEN
        RETURN part;
    END IF;
    EXECUTE format('CREATE TABLE external.%I PARTITION OF %s FOR VALUES IN (%L)', name, month_part, d);
    EXECUTE format('COMMENT ON TABLE external.%I IS %L', name,
                   format('Snapshot partition of external.property_pricing: the calendar rows scraped on %s.', d));
    RETURN format('external.%I', name)::regclass;
END
$$;
COMMENT ON FUNCTION external.ensure_pricing_partition(date) IS
    'Returns the partition of external.property_pricing that holds snapshot date d (the per-snapshot LIST partition inside its month partition), creating the month and the snapshot partition when missing. Idempotent: a second call returns the same partition. Call it before inserting a snapshot''s rows.';

CREATE FUNCTION external.ensure_pricing_months_ahead(months integer, from_date date DEFAULT current_date)
    RETURNS integer
    LANGUAGE plpgsql AS $$
DECLARE
    i integer;
    made integer := 0;
    before integer;
BEGIN
    IF months IS NULL OR months < 0 OR months > 120 THEN
        RAISE EXCEPTION 'months ahead "%" out of range 0-120', months USING ERRCODE = '22023';
    END IF;
    SELECT count(*) INTO before FROM pg_inherits
     WHERE inhparent = 'external.property_pricing'::regclass;
    FOR i IN 0 .. months LOOP
        PERFORM external.pricing_month_partition((from_date + make_interval(months => i))::date);
    END LOOP;
    SELECT count(*) - before INTO made FROM pg_inherits
     WHERE inhparent = 'external.property_pricing'::regclass;
    RETURN made;
END
$$;
COMMENT ON FUNCTION external.ensure_pricing_months_ahead(integer, date) IS
    'Creates the month partitions of external.property_pricing from the month of from_date through months months ahead (months 0-120), skipping those that exist; returns how many were created. mi-run calls it nightly (e.g. 3 months ahead).';

CREATE FUNCTION external.attach_pricing_snapshot(tbl regclass, d date) RETURNS regclass
    LANGUAGE plpgsql SET datestyle = 'ISO' AS $$
DECLARE
    month_part regclass := external.pricing_month_partition(d);
    name text := format('property_pricing_s%s', to_char(d, 'YYYYMMDD'));
    bound text;
    existing regclass;
BEGIN
    bound := format('FOR VALUES IN (%L)', d);
    SELECT i.inhrelid::regclass INTO existing
      FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent = month_part
       AND pg_get_expr(c.relpartbound, c.oid) = bound;
    IF existing IS NOT NULL THEN
        RAISE EXCEPTION 'snapshot "%" is already loaded in "%"', d, existing
            USING ERRCODE = '42P07',
                  HINT = 'drop or detach the existing snapshot partition to reload it';
    END IF;
    -- A constraint that implies the partition bound lets ATTACH skip its scan.
    EXECUTE format('ALTER TABLE %s ADD CONSTRAINT %I CHECK (snapshot_date IS NOT NULL AND snapshot_date = %L)',
                   tbl, name || '_date', d);
    EXECUTE format('ALTER TABLE %s ATTACH PARTITION %s FOR VALUES IN (%L)', month_part, tbl, d);
    IF (SELECT relnamespace FROM pg_class WHERE oid = tbl) <> 'external'::regnamespace THEN
        EXECUTE format('ALTER TABLE %s SET SCHEMA external', tbl);
    END IF;
    EXECUTE format('ALTER TABLE %s RENAME TO %I', tbl, name);
    EXECUTE format('COMMENT ON TABLE %s IS %L', tbl,
                   format('Snapshot partition of external.property_pricing: the calendar rows scraped on %s.', d));
    RETURN tbl;
END
$$;
COMMENT ON FUNCTION external.attach_pricing_snapshot(regclass, date) IS
    'Attaches tbl, a table built apart with the columns of external.property_pricing (CREATE TABLE ... (LIKE external.property_pricing INCLUDING DEFAULTS INCLUDING CONSTRAINTS)) and already loaded and de-duplicated with one snapshot date d, as the snapshot partition for d; moves it to schema external and renames it property_pricing_sYYYYMMDD. Fails (42P07) when d is already loaded; rows of another date fail the attach (23514).';

-- ---------------------------------------------------------------------------
-- external.competitive_sets
-- ---------------------------------------------------------------------------
CREATE TABLE external.competitive_sets (
    competitive_set_id     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    subject_tmk            external.tmk NOT NULL REFERENCES external.properties (tmk),
    competitor_tmk         external.tmk REFERENCES external.properties (tmk),
    competitor_platform    etl.source_id,
    competitor_listing_id  etl.external_id,
    competitor_key         text NOT NULL GENERATED ALWAYS AS (
                               CASE WHEN competitor_tmk IS NOT NULL THEN 'tmk:' || competitor_tmk
                                    ELSE 'listing:' || competitor_platform || ':' || competitor_listing_id END) STORED,
    computed_on            date NOT NULL,
    rank                   smallint NOT NULL CHECK (rank >= 1),
    similarity             etl.fraction NOT NULL,
    distance_m             numeric(9,1) CHECK (distance_m >= 0),
    basis                  jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(basis) = 'object'),
    metrics_from           date,
    metrics_to             date,
    nights_observed        integer CHECK (nights_observed >= 0),
    booked_nights          integer CHECK (booked_nights >= 0),
    blocked_nights         integer CHECK (blocked_nights >= 0),
    adr                    etl.money,
    occupancy              etl.fraction,
    revpar                 etl.money,
    run_id                 etl.run_id,
    created_at             timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT competitive_sets_key UNIQUE (subject_tmk, competitor_key, computed_on),
    CONSTRAINT competitive_sets_rank_key UNIQUE (subject_tmk, computed_on, rank),
    CONSTRAINT competitive_sets_competitor_given CHECK (
        competitor_tmk IS NOT NULL
        OR (competitor_platform IS NOT NULL AND competitor_listing_id IS NOT NULL)),
    CONSTRAINT competitive_sets_listing_pair CHECK (
        (competitor_platform IS NULL) = (competitor_listing_id IS NULL)),
    CONSTRAINT competitive_sets_not_self CHECK (competitor_tmk IS DISTINCT FROM subject_tmk),
    CONSTRAINT competitive_sets_window CHECK (metrics_from IS NULL OR metrics_to IS NULL OR metrics_to >= metrics_from),
    CONSTRAINT competitive_sets_nights CHECK (
        nights_observed IS NULL OR coalesce(booked_nights, 0) + coalesce(blocked_nights, 0) <= nights_observed)
);

CREATE INDEX competitive_sets_subject_idx ON external.competitive_sets (subject_tmk, computed_on DESC, rank);
CREATE INDEX competitive_sets_competitor_idx ON external.competitive_sets (competitor_tmk)
    WHERE competitor_tmk IS NOT NULL;

COMMENT ON TABLE external.competitive_sets IS
    'Competitive sets computed by mi-compset: for a subject property (ours, or a prospect''s for a revenue projection), its ranked competitors (a parcel, or a listing not yet matched to one) with similarity, distance, the basis of the choice and the competitor''s market metrics over a window. One set per subject and computed_on date; unique (subject_tmk, competitor_key, computed_on).';
COMMENT ON COLUMN external.competitive_sets.competitive_set_id IS 'Surrogate key of the set member row.';
COMMENT ON COLUMN external.competitive_sets.subject_tmk IS 'The property the set is computed for (ours or a prospect''s).';
COMMENT ON COLUMN external.competitive_sets.competitor_tmk IS 'The competing property, when its listing is matched to a parcel.';
COMMENT ON COLUMN external.competitive_sets.competitor_platform IS 'Platform of the competing listing (with competitor_listing_id), when the competitor is identified by listing.';
COMMENT ON COLUMN external.competitive_sets.competitor_listing_id IS 'Listing id of the competing listing on competitor_platform.';
COMMENT ON COLUMN external.competitive_sets.competitor_key IS 'Competitor identity (derived): tmk:<tmk> or listing:<platform>:<listing id>; part of the natural key.';
COMMENT ON COLUMN external.competitive_sets.computed_on IS 'Date the set was computed (the pricing snapshot date it is based on).';
COMMENT ON COLUMN external.competitive_sets.rank IS 'Rank of the competitor in the set, 1 = most similar.';
COMMENT ON COLUMN external.competitive_sets.similarity IS 'Similarity 0-1 between subject and competitor (bedrooms, type, guests, district, distance).';
COMMENT ON COLUMN external.competitive_sets.distance_m IS 'Distance between subject and competitor in metres (listing coordinates are blurred up to ~150 m).';
COMMENT ON COLUMN external.competitive_sets.basis IS 'Why the competitor was chosen (JSON object): criteria, their values and weights.';
COMMENT ON COLUMN external.competitive_sets.metrics_from IS 'First stay date of the metrics window.';
COMMENT ON COLUMN external.competitive_sets.metrics_to IS 'Last stay date of the metrics window (inclusive).';
COMMENT ON COLUMN external.competitive_sets.nights_observed IS 'Nights of the window observed in the competitor''s calendar snapshots.';
COMMENT ON COLUMN external.competitive_sets.booked_nights IS 'Nights inferred booked (turned unavailable between snapshots).';
COMMENT ON COLUMN external.competitive_sets.blocked_nights IS 'Nights inferred blocked by the owner or on hold (excluded from occupancy).';
COMMENT ON COLUMN external.competitive_sets.adr IS 'Competitor average daily rate in USD over the window: mean listed rate of the booked nights.';
COMMENT ON COLUMN external.competitive_sets.occupancy IS 'Competitor occupancy 0-1 over the window: booked / (nights observed - blocked).';
COMMENT ON COLUMN external.competitive_sets.revpar IS 'Competitor revenue per available night in USD: adr x occupancy.';
COMMENT ON COLUMN external.competitive_sets.run_id IS 'etl.runs.run_id of the mi-compset run that computed the row.';
COMMENT ON COLUMN external.competitive_sets.created_at IS 'When the row was inserted.';
