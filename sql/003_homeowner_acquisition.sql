-- 003_homeowner_acquisition.sql: the eleven tables of the acquisition pipeline,
-- their reference rows, the lead queue view and its claim function.
--
-- The foreign key from lead_activities.change_event_id to etl.change_events
-- is added in 004 (etl is created after this file).

-- ---------------------------------------------------------------------------
-- lead_sources (reference)
-- ---------------------------------------------------------------------------
CREATE TABLE homeowner_acquisition.lead_sources (
    lead_source_code  etl.code PRIMARY KEY,
    name              text NOT NULL CHECK (name <> ''),
    description       text NOT NULL,
    category          text NOT NULL CHECK (category IN ('signal', 'inbound', 'outbound', 'referral',
                                                        'partner', 'event', 'other')),
    is_system         boolean NOT NULL DEFAULT false,
    is_active         boolean NOT NULL DEFAULT true,
    sort_order        smallint NOT NULL DEFAULT 100,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT lead_sources_name_key UNIQUE (name)
);

CREATE TRIGGER lead_sources_touch BEFORE UPDATE ON homeowner_acquisition.lead_sources
    FOR EACH ROW EXECUTE FUNCTION etl.touch_updated_at();

COMMENT ON TABLE homeowner_acquisition.lead_sources IS
    'Reference list of where a lead comes from: the pipeline''s own signals (COUNTY_SALE, PM_CHANGE, REVIEW_SIGNAL ...) and the sales team''s channels (REFERRAL, WEBSITE_INQUIRY ...). Referenced by prospects, prospect_properties and lead_activities; an unknown code is refused by foreign key.';
COMMENT ON COLUMN homeowner_acquisition.lead_sources.lead_source_code IS 'Stable upper-case code of the source (natural key).';
COMMENT ON COLUMN homeowner_acquisition.lead_sources.name IS 'Display name shown to the acquisition team.';
COMMENT ON COLUMN homeowner_acquisition.lead_sources.description IS 'What the source means and what triggers it.';
COMMENT ON COLUMN homeowner_acquisition.lead_sources.category IS 'signal (written by mi-leads from data), inbound, outbound, referral, partner, event or other.';
COMMENT ON COLUMN homeowner_acquisition.lead_sources.is_system IS 'True when mi-leads writes leads of this source automatically.';
COMMENT ON COLUMN homeowner_acquisition.lead_sources.is_active IS 'False hides a retired source from new entries; old rows keep referencing it.';
COMMENT ON COLUMN homeowner_acquisition.lead_sources.sort_order IS 'Display order in pick lists (ascending).';
COMMENT ON COLUMN homeowner_acquisition.lead_sources.created_at IS 'When the row was inserted.';
COMMENT ON COLUMN homeowner_acquisition.lead_sources.updated_at IS 'When the row was last updated (set by trigger).';

INSERT INTO homeowner_acquisition.lead_sources
    (lead_source_code, name, description, category, is_system, sort_order) VALUES
    ('COUNTY_SALE', 'County sale', 'A recorded sale of the parcel (new owner, often absentee or out of state, deciding how to run it).', 'signal', true, 10),
    ('PM_CHANGE', 'Manager change', 'The listing of the property moved to a different property manager or host.', 'signal', true, 20),
    ('SELF_MANAGED', 'Self-managed rental', 'The rental is run by the owner or a one-property individual host.', 'signal', true, 30),
    ('REVIEW_SIGNAL', 'Review signal', 'Guest reviews show declining sentiment on aspects a manager controls (cleanliness, maintenance, communication, check-in, accuracy, amenities).', 'signal', true, 40),
    ('PRICING_SIGNAL', 'Pricing signal', 'Rates or occupancy sit below the property''s competitive set.', 'signal', true, 50),
    ('LISTING_DARK', 'Listing gone dark', 'The property''s listings disappeared or stopped taking bookings.', 'signal', true, 60),
    ('LISTING_NEW', 'New listing', 'A listing appeared for a parcel that had none (new rental, often without a manager yet).', 'signal', true, 70),
    ('PERMIT_SIGNAL', 'STR permit signal', 'A new, expiring or transferred county short-term-rental permit or registration.', 'signal', true, 80),
    ('REFERRAL', 'Referral', 'Referred by a current owner client, guest or acquaintance.', 'referral', false, 100),
    ('REALTOR_REFERRAL', 'Realtor referral', 'Referred by a real-estate agent, typically at or after a purchase.', 'referral', false, 110),
    ('PARTNER', 'Partner', 'Introduced by a business partner (HOA or AOAO board, resort association, lender, attorney, accountant).', 'partner', false, 120),
    ('WEBSITE_INQUIRY', 'Website inquiry', 'Owner filled the contact or free rental-estimate form on our website.', 'inbound', false, 130),
    ('PHONE_INQUIRY', 'Phone inquiry', 'Owner called or emailed us unprompted.', 'inbound', false, 140),
    ('OWNER_OUTREACH', 'Owner outreach', 'Our direct outreach (mail, call, email) to an owner from the market data.', 'outbound', false, 150),
    ('EMAIL_CAMPAIGN', 'Email campaign', 'Response to one of our email or newsletter campaigns.', 'outbound', false, 160),
    ('DIRECT_MAIL', 'Direct mail', 'Response to a postcard or letter campaign.', 'outbound', false, 170),
    ('SOCIAL_MEDIA', 'Social media', 'Contact through social media or online advertising.', 'inbound', false, 180),
    ('EVENT', 'Event', 'Met at an owner seminar, trade show, open house or community event.', 'event', false, 190),
    ('PAST_CLIENT', 'Past client', 'An owner who managed with us before, or a current client with another property.', 'referral', false, 200),
    ('OTHER', 'Other', 'Any other origin; describe it in the activity notes.', 'other', false, 900)
ON CONFLICT DO NOTHING;

-- ---------------------------------------------------------------------------
-- prospects
-- ---------------------------------------------------------------------------
CREATE TABLE homeowner_acquisition.prospects (
    prospect_id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    owner_key              text NOT NULL CHECK (owner_key <> ''),
    mailing_address_key    text NOT NULL DEFAULT '',
    display_name           text NOT NULL CHECK (display_name <> ''),
    owner_name_raw         text,
    owner_kind             text NOT NULL DEFAULT 'unknown'
                           CHECK (owner_kind IN ('person', 'couple', 'trust', 'entity', 'government', 'unknown')),
    contact_first_name     text,
    contact_last_name      text,
    care_of                text,
    mailing_address        text,
    mailing_city           text,
    mailing_state          text CHECK (mailing_state ~ '^[A-Z]{2}$'),
    mailing_zip            text,
    mailing_country        text CHECK (mailing_country <> ''),
    is_absentee            boolean,
    is_out_of_state        boolean,
    email                  text CHECK (email ~ '^[^@[:space:]]+@[^@[:space:]]+\.[^@[:space:]]+$'),
    phone                  text CHECK (phone ~ '^\+?[0-9 ().-]{7,25}$'),
    preferred_contact      text CHECK (preferred_contact IN ('email', 'phone', 'sms', 'mail', 'none')),
    status                 text NOT NULL DEFAULT 'new'
                           CHECK (status IN ('new', 'contacted', 'engaged', 'proposal', 'client',
                                             'lost', 'dormant', 'disqualified')),
    lead_source_code       etl.code NOT NULL REFERENCES homeowner_acquisition.lead_sources (lead_source_code),
    assigned_to            text,
    do_not_contact         boolean NOT NULL DEFAULT false,
    do_not_contact_reason  text,
    do_not_contact_at      timestamptz,
    notes                  text,
    first_run_id           etl.run_id,
    created_at             timestamptz NOT NULL DEFAULT now(),
    updated_at             timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT prospects_owner_mailing_key UNIQUE (owner_key, mailing_address_key),
    CONSTRAINT prospects_dnc_reason CHECK (NOT do_not_contact
                                           OR (do_not_contact_reason IS NOT NULL AND do_not_contact_at IS NOT NULL))
);

CREATE INDEX prospects_status_idx ON homeowner_acquisition.prospects (status, assigned_to);
CREATE INDEX prospects_lower_email_idx ON homeowner_acquisition.prospects (lower(email))
    WHERE email IS NOT NULL;

CREATE TRIGGER prospects_touch BEFORE UPDATE ON homeowner_acquisition.prospects
    FOR EACH ROW EXECUTE FUNCTION etl.touch_updated_at();

COMMENT ON TABLE homeowner_acquisition.prospects IS
    'Owners (persons, couples, trusts, entities) we may win as clients, de-duplicated by normalized owner key + mailing address key (unique). Created by mi-leads from the owner roll and sales, or by the team by hand. do_not_contact removes every property of the prospect from the lead queue.';
COMMENT ON COLUMN homeowner_acquisition.prospects.prospect_id IS 'Surrogate key of the prospect.';
COMMENT ON COLUMN homeowner_acquisition.prospects.owner_key IS 'Normalized owner key (same rules as external.properties.owner_key); with mailing_address_key the natural key.';
COMMENT ON COLUMN homeowner_acquisition.prospects.mailing_address_key IS 'Normalized mailing address key; empty string when unknown (so the unique key still applies).';
COMMENT ON COLUMN homeowner_acquisition.prospects.display_name IS 'Name shown to the team (e.g. John A. Smith, Smith Family Trust).';
COMMENT ON COLUMN homeowner_acquisition.prospects.owner_name_raw IS 'Owner name exactly as on the county roll or deed (e.g. SMITH,JOHN A TR).';
COMMENT ON COLUMN homeowner_acquisition.prospects.owner_kind IS 'person, couple, trust, entity, government or unknown.';
COMMENT ON COLUMN homeowner_acquisition.prospects.contact_first_name IS 'First name of the person to address (the owner or the entity''s contact).';
COMMENT ON COLUMN homeowner_acquisition.prospects.contact_last_name IS 'Last name of the person to address.';
COMMENT ON COLUMN homeowner_acquisition.prospects.care_of IS 'Care-of line of the mailing address (C/O ...), e.g. a trustee or accountant.';
COMMENT ON COLUMN homeowner_acquisition.prospects.mailing_address IS 'Mailing street address.';
COMMENT ON COLUMN homeowner_acquisition.prospects.mailing_city IS 'Mailing city.';
COMMENT ON COLUMN homeowner_acquisition.prospects.mailing_state IS 'Mailing state or province, two-letter code.';
COMMENT ON COLUMN homeowner_acquisition.prospects.mailing_zip IS 'Mailing postal code as written.';
COMMENT ON COLUMN homeowner_acquisition.prospects.mailing_country IS 'Mailing country as written, folded to upper case; NULL when none is written (US).';
COMMENT ON COLUMN homeowner_acquisition.prospects.is_absentee IS 'True when the owner does not live at (any of) the properties.';
COMMENT ON COLUMN homeowner_acquisition.prospects.is_out_of_state IS 'True when the mailing address is outside Hawaii.';
COMMENT ON COLUMN homeowner_acquisition.prospects.email IS 'Contact email, entered by the team (never scraped).';
COMMENT ON COLUMN homeowner_acquisition.prospects.phone IS 'Contact phone number, entered by the team.';
COMMENT ON COLUMN homeowner_acquisition.prospects.preferred_contact IS 'Preferred channel: email, phone, sms, mail or none.';
COMMENT ON COLUMN homeowner_acquisition.prospects.status IS 'Relationship stage: new, contacted, engaged, proposal, client, lost, dormant, disqualified.';
COMMENT ON COLUMN homeowner_acquisition.prospects.lead_source_code IS 'How the prospect first came to us (lead_sources).';
COMMENT ON COLUMN homeowner_acquisition.prospects.assigned_to IS 'Team member who owns the relationship (login name).';
COMMENT ON COLUMN homeowner_acquisition.prospects.do_not_contact IS 'True when the owner asked not to be contacted (or legal reasons): never queued, never mailed.';
COMMENT ON COLUMN homeowner_acquisition.prospects.do_not_contact_reason IS 'Why do_not_contact was set; required with it.';
COMMENT ON COLUMN homeowner_acquisition.prospects.do_not_contact_at IS 'When do_not_contact was set; required with it.';
COMMENT ON COLUMN homeowner_acquisition.prospects.notes IS 'Free-text notes of the team.';
COMMENT ON COLUMN homeowner_acquisition.prospects.first_run_id IS 'etl.runs.run_id of the mi-leads run that created the prospect; NULL when entered by hand.';
COMMENT ON COLUMN homeowner_acquisition.prospects.created_at IS 'When the row was inserted.';
COMMENT ON COLUMN homeowner_acquisition.prospects.updated_at IS 'When the row was last updated (set by trigger).';

-- ---------------------------------------------------------------------------
-- prospect_properties (the lead queue rows)
-- ---------------------------------------------------------------------------
CREATE TABLE homeowner_acquisition.prospect_properties (
    prospect_property_id  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    prospect_id           bigint NOT NULL REFERENCES homeowner_acquisition.prospects (prospect_id),
    tmk                   external.tmk NOT NULL REFERENCES external.properties (tmk),
    relationship          text NOT NULL DEFAULT 'owner'
                          CHECK (relationship IN ('owner', 'co_owner', 'trustee', 'lessee', 'buyer', 'contact')),
    ownership_pct         etl.percent,
    status                text NOT NULL DEFAULT 'new'
                          CHECK (status IN ('new', 'queued', 'claimed', 'contacted', 'qualified', 'proposal',
                                            'won', 'lost', 'disqualified', 'snoozed')),
    lead_source_code      etl.code NOT NULL REFERENCES homeowner_acquisition.lead_sources (lead_source_code),
    opportunity_score     etl.score100,
    score_signals         jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(score_signals) = 'array'),
    score_version         text,
    scored_at             timestamptz,
    priority_boost        smallint NOT NULL DEFAULT 0 CHECK (priority_boost BETWEEN -100 AND 100),
    claimed_by            text,
    claimed_at            timestamptz,
    claim_expires_at      timestamptz,
    snoozed_until         date,
    last_contacted_at     timestamptz,
    next_action_at        timestamptz,
    closed_reason         text,
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT prospect_properties_key UNIQUE (prospect_id, tmk),
    CONSTRAINT prospect_properties_claim_pair CHECK (
        (claimed_by IS NULL) = (claimed_at IS NULL) AND (claimed_by IS NOT NULL OR claim_expires_at IS NULL)),
    CONSTRAINT prospect_properties_claimed_has_claimer CHECK (status <> 'claimed' OR claimed_by IS NOT NULL),
    CONSTRAINT prospect_properties_snooze CHECK (status <> 'snoozed' OR snoozed_until IS NOT NULL),
    CONSTRAINT prospect_properties_scored CHECK (opportunity_score IS NULL
                                                 OR (score_version IS NOT NULL AND scored_at IS NOT NULL))
);

CREATE INDEX prospect_properties_queue_idx ON homeowner_acquisition.prospect_properties
    (opportunity_score DESC NULLS LAST, prospect_property_id)
    WHERE status IN ('new', 'queued', 'claimed');
CREATE INDEX prospect_properties_tmk_idx ON homeowner_acquisition.prospect_properties (tmk);
CREATE INDEX prospect_properties_claimed_by_idx ON homeowner_acquisition.prospect_properties (claimed_by)
    WHERE claimed_by IS NOT NULL;

CREATE TRIGGER prospect_properties_touch BEFORE UPDATE ON homeowner_acquisition.prospect_properties
    FOR EACH ROW EXECUTE FUNCTION etl.touch_updated_at();

COMMENT ON TABLE homeowner_acquisition.prospect_properties IS
    'A property in the acquisition pipeline, tied to one prospect (unique prospect + TMK): its pipeline status, its current opportunity score with the signals that made it (written by mi-leads), and the claim a team member holds on it. These rows are what the lead queue (view lead_queue) orders and claim_next_lead hands out.';
COMMENT ON COLUMN homeowner_acquisition.prospect_properties.prospect_property_id IS 'Surrogate key.';
COMMENT ON COLUMN homeowner_acquisition.prospect_properties.prospect_id IS 'The owner prospect (prospects).';
COMMENT ON COLUMN homeowner_acquisition.prospect_properties.tmk IS 'The property (external.properties).';
COMMENT ON COLUMN homeowner_acquisition.prospect_properties.relationship IS 'How the prospect relates to the property: owner, co_owner, trustee, lessee, buyer (recent sale) or contact.';
COMMENT ON COLUMN homeowner_acquisition.prospect_properties.ownership_pct IS 'Share owned in percent (OWNALL pctowned), when known.';
COMMENT ON COLUMN homeowner_acquisition.prospect_properties.status IS
    'Pipeline status: new and queued are waiting in the queue, claimed is held by claimed_by until claim_expires_at, then contacted, qualified, proposal, won, lost, disqualified, or snoozed until snoozed_until.';
COMMENT ON COLUMN homeowner_acquisition.prospect_properties.lead_source_code IS 'The strongest signal or channel that brought this property in (lead_sources).';
COMMENT ON COLUMN homeowner_acquisition.prospect_properties.opportunity_score IS 'Opportunity score 0-100 from mi-leads (higher = better lead); NULL before the first scoring.';
COMMENT ON COLUMN homeowner_acquisition.prospect_properties.score_signals IS
    'Explanation of the score (JSON array): one object per signal {"signal": code, "value": ..., "weight": ..., "contribution": points, "evidence": ...}; contributions add up to the score.';
COMMENT ON COLUMN homeowner_acquisition.prospect_properties.score_version IS 'Version of the scoring weights (config) that produced the score.';
COMMENT ON COLUMN homeowner_acquisition.prospect_properties.scored_at IS 'When the score was computed.';
COMMENT ON COLUMN homeowner_acquisition.prospect_properties.priority_boost IS 'Manual adjustment (-100..100 points) added to the score for queue order.';
COMMENT ON COLUMN homeowner_acquisition.prospect_properties.claimed_by IS 'Team member who claimed the lead (login name); kept after the claim as the lead''s worker.';
COMMENT ON COLUMN homeowner_acquisition.prospect_properties.claimed_at IS 'When the lead was claimed.';
COMMENT ON COLUMN homeowner_acquisition.prospect_properties.claim_expires_at IS 'When a claim with no follow-up lapses and the lead returns to the queue.';
COMMENT ON COLUMN homeowner_acquisition.prospect_properties.snoozed_until IS 'Date a snoozed lead returns to the queue.';
COMMENT ON COLUMN homeowner_acquisition.prospect_properties.last_contacted_at IS 'When the owner was last contacted about this property (from lead_activities).';
COMMENT ON COLUMN homeowner_acquisition.prospect_properties.next_action_at IS 'When the next follow-up is due.';
COMMENT ON COLUMN homeowner_acquisition.prospect_properties.closed_reason IS 'Why the lead was lost or disqualified.';
COMMENT ON COLUMN homeowner_acquisition.prospect_properties.created_at IS 'When the row was inserted.';
COMMENT ON COLUMN homeowner_acquisition.prospect_properties.updated_at IS 'When the row was last updated (set by trigger).';

-- ---------------------------------------------------------------------------
-- lead_activities
-- ---------------------------------------------------------------------------
CREATE TABLE homeowner_acquisition.lead_activities (
    lead_activity_id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    prospect_id           bigint NOT NULL REFERENCES homeowner_acquisition.prospects (prospect_id),
    prospect_property_id  bigint REFERENCES homeowner_acquisition.prospect_properties (prospect_property_id),
    activity_type         text NOT NULL CHECK (activity_type IN (
                              'call', 'email', 'sms', 'letter', 'meeting', 'site_visit', 'note',
                              'proposal_sent', 'status_change', 'signal')),
    direction             text CHECK (direction IN ('inbound', 'outbound', 'internal')),
    outcome               text CHECK (outcome IN ('connected', 'left_message', 'no_answer', 'bounced',
                                                  'interested', 'not_interested', 'callback', 'meeting_set',
                                                  'do_not_contact', 'completed')),
    lead_source_code      etl.code REFERENCES homeowner_acquisition.lead_sources (lead_source_code),
    signal_key            text,
    signal_data           jsonb CHECK (jsonb_typeof(signal_data) = 'object'),
    change_event_id       bigint,
    occurred_at           timestamptz NOT NULL DEFAULT now(),
    performed_by          text,
    subject               text,
    body                  text,
    run_id                etl.run_id,
    created_at            timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT lead_activities_signal_key UNIQUE (prospect_id, signal_key),
    CONSTRAINT lead_activities_signal_fields CHECK (
        (activity_type = 'signal') = (signal_key IS NOT NULL)
        AND (activity_type <> 'signal' OR lead_source_code IS NOT NULL))
);

CREATE INDEX lead_activities_prospect_idx ON homeowner_acquisition.lead_activities (prospect_id, occurred_at DESC);
CREATE INDEX lead_activities_property_idx ON homeowner_acquisition.lead_activities (prospect_property_id)
    WHERE prospect_property_id IS NOT NULL;

COMMENT ON TABLE homeowner_acquisition.lead_activities IS
    'Activity log of a prospect: the team''s calls, emails, letters, meetings and notes, and the system''s own signal entries (activity_type signal, one per signal_key and prospect, so a re-run writes nothing twice: INSERT ... ON CONFLICT (prospect_id, signal_key) DO NOTHING).';
COMMENT ON COLUMN homeowner_acquisition.lead_activities.lead_activity_id IS 'Surrogate key.';
COMMENT ON COLUMN homeowner_acquisition.lead_activities.prospect_id IS 'The prospect the activity concerns.';
COMMENT ON COLUMN homeowner_acquisition.lead_activities.prospect_property_id IS 'The property lead it concerns, when it is about one property.';
COMMENT ON COLUMN homeowner_acquisition.lead_activities.activity_type IS 'call, email, sms, letter, meeting, site_visit, note, proposal_sent, status_change, or signal (system-written).';
COMMENT ON COLUMN homeowner_acquisition.lead_activities.direction IS 'inbound (owner to us), outbound (us to owner) or internal.';
COMMENT ON COLUMN homeowner_acquisition.lead_activities.outcome IS 'Result of a contact attempt: connected, left_message, no_answer, bounced, interested, not_interested, callback, meeting_set, do_not_contact, completed.';
COMMENT ON COLUMN homeowner_acquisition.lead_activities.lead_source_code IS 'Source the activity belongs to; required for signal rows (COUNTY_SALE, PM_CHANGE ...).';
COMMENT ON COLUMN homeowner_acquisition.lead_activities.signal_key IS
    'Stable key of a system signal, e.g. COUNTY_SALE:2:doc:A-12345678 or PM_CHANGE:<tmk>:<valid_from>; set exactly for signal rows; unique per prospect.';
COMMENT ON COLUMN homeowner_acquisition.lead_activities.signal_data IS 'Facts of the signal as a JSON object (sale price, old and new manager, sentiment trend ...).';
COMMENT ON COLUMN homeowner_acquisition.lead_activities.change_event_id IS 'The etl.change_events row that raised the signal, when there is one.';
COMMENT ON COLUMN homeowner_acquisition.lead_activities.occurred_at IS 'When the activity happened (for signals: when the underlying event was detected).';
COMMENT ON COLUMN homeowner_acquisition.lead_activities.performed_by IS 'Team member who did it (login name), or mi-leads for signals.';
COMMENT ON COLUMN homeowner_acquisition.lead_activities.subject IS 'Short summary line.';
COMMENT ON COLUMN homeowner_acquisition.lead_activities.body IS 'Full notes or message text.';
COMMENT ON COLUMN homeowner_acquisition.lead_activities.run_id IS 'etl.runs.run_id of the mi-leads run that wrote a signal row.';
COMMENT ON COLUMN homeowner_acquisition.lead_activities.created_at IS 'When the row was inserted.';

-- ---------------------------------------------------------------------------
-- property_assessments
-- ---------------------------------------------------------------------------
CREATE TABLE homeowner_acquisition.property_assessments (
    property_assessment_id  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tmk                     external.tmk NOT NULL REFERENCES external.properties (tmk),
    prospect_property_id    bigint REFERENCES homeowner_acquisition.prospect_properties (prospect_property_id),
    assessment_type         text NOT NULL CHECK (assessment_type IN ('opportunity_score', 'remote_review',
                                                                     'site_visit', 'photo_review')),
    assessment_key          text,
    assessed_on             date NOT NULL DEFAULT current_date,
    assessed_by             text NOT NULL,
    opportunity_score       etl.score100,
    score_signals           jsonb CHECK (jsonb_typeof(score_signals) = 'array'),
    score_version           text,
    overall_condition       text CHECK (overall_condition IN ('excellent', 'good', 'fair', 'poor')),
    condition_score         smallint CHECK (condition_score BETWEEN 1 AND 10),
    str_readiness_score     etl.score100,
    compliance_status       text CHECK (compliance_status IN ('permitted', 'permit_needed', 'not_permitted',
                                                              'unknown')),
    permit_verified         boolean,
    estimated_capex         etl.money,
    issues                  jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(issues) = 'array'),
    notes                   text,
    photos_uri              text,
    run_id                  etl.run_id,
    created_at              timestamptz NOT NULL DEFAULT now(),
    updated_at              timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT property_assessments_key UNIQUE (tmk, assessment_key),
    CONSTRAINT property_assessments_score_fields CHECK (
        assessment_type <> 'opportunity_score'
        OR (opportunity_score IS NOT NULL AND score_signals IS NOT NULL
            AND score_version IS NOT NULL AND assessment_key IS NOT NULL))
);

CREATE INDEX property_assessments_tmk_idx ON homeowner_acquisition.property_assessments
    (tmk, assessment_type, assessed_on DESC);

CREATE TRIGGER property_assessments_touch BEFORE UPDATE ON homeowner_acquisition.property_assessments
    FOR EACH ROW EXECUTE FUNCTION etl.touch_updated_at();

COMMENT ON TABLE homeowner_acquisition.property_assessments IS
    'Assessments of a property: the history of automated opportunity scores (assessment_type opportunity_score, one per TMK and assessment_key, e.g. opportunity:2026-11-24, written by mi-leads) and the team''s condition, compliance and readiness assessments (remote review, site visit, photo review).';
COMMENT ON COLUMN homeowner_acquisition.property_assessments.property_assessment_id IS 'Surrogate key.';
COMMENT ON COLUMN homeowner_acquisition.property_assessments.tmk IS 'The assessed property.';
COMMENT ON COLUMN homeowner_acquisition.property_assessments.prospect_property_id IS 'The lead the assessment was made for, when there is one.';
COMMENT ON COLUMN homeowner_acquisition.property_assessments.assessment_type IS 'opportunity_score (automated), remote_review, site_visit or photo_review.';
COMMENT ON COLUMN homeowner_acquisition.property_assessments.assessment_key IS
    'Idempotency key of system-written rows (e.g. opportunity:<date>): unique per TMK; NULL for manual assessments.';
COMMENT ON COLUMN homeowner_acquisition.property_assessments.assessed_on IS 'Date of the assessment (for scores: the data date).';
COMMENT ON COLUMN homeowner_acquisition.property_assessments.assessed_by IS 'Team member (login name), or mi-leads for automated scores.';
COMMENT ON COLUMN homeowner_acquisition.property_assessments.opportunity_score IS 'Opportunity score 0-100 of this assessment (required for opportunity_score rows).';
COMMENT ON COLUMN homeowner_acquisition.property_assessments.score_signals IS 'Signals and contributions behind opportunity_score (same JSON array format as prospect_properties.score_signals).';
COMMENT ON COLUMN homeowner_acquisition.property_assessments.score_version IS 'Version of the scoring weights that produced the score.';
COMMENT ON COLUMN homeowner_acquisition.property_assessments.overall_condition IS 'Overall physical condition: excellent, good, fair or poor.';
COMMENT ON COLUMN homeowner_acquisition.property_assessments.condition_score IS 'Condition on a 1-10 scale (10 = like new).';
COMMENT ON COLUMN homeowner_acquisition.property_assessments.str_readiness_score IS 'Readiness 0-100 to operate as a vacation rental (furnishing, safety, amenities, photos).';
COMMENT ON COLUMN homeowner_acquisition.property_assessments.compliance_status IS 'Short-term-rental legality: permitted, permit_needed, not_permitted (zoning) or unknown.';
COMMENT ON COLUMN homeowner_acquisition.property_assessments.permit_verified IS 'True when the county permit, NUC or registration was checked against the county list.';
COMMENT ON COLUMN homeowner_acquisition.property_assessments.estimated_capex IS 'Estimated spend in USD to make the property rental-ready.';
COMMENT ON COLUMN homeowner_acquisition.property_assessments.issues IS 'Findings as a JSON array of objects (area, issue, severity, estimated cost).';
COMMENT ON COLUMN homeowner_acquisition.property_assessments.notes IS 'Free-text notes of the assessor.';
COMMENT ON COLUMN homeowner_acquisition.property_assessments.photos_uri IS 'Where the assessment photos are stored.';
COMMENT ON COLUMN homeowner_acquisition.property_assessments.run_id IS 'etl.runs.run_id of the mi-leads run that wrote an automated row.';
COMMENT ON COLUMN homeowner_acquisition.property_assessments.created_at IS 'When the row was inserted.';
COMMENT ON COLUMN homeowner_acquisition.property_assessments.updated_at IS 'When the row was last updated (set by trigger).';

-- ---------------------------------------------------------------------------
-- revenue_projections
-- ---------------------------------------------------------------------------
CREATE TABLE homeowner_acquisition.revenue_projections (
    revenue_projection_id  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tmk                    external.tmk NOT NULL REFERENCES external.properties (tmk),
    prospect_property_id   bigint REFERENCES homeowner_acquisition.prospect_properties (prospect_property_id),
    scenario               text NOT NULL DEFAULT 'expected'
                           CHECK (scenario IN ('conservative', 'expected', 'optimistic')),
    period_start           date NOT NULL,
    period_end             date NOT NULL,
    compset_computed_on    date,
    comp_count             smallint CHECK (comp_count >= 0),
    adr                    etl.money NOT NULL,
    occupancy              etl.fraction NOT NULL,
    available_nights       smallint NOT NULL CHECK (available_nights BETWEEN 0 AND 366),
    projected_nights       numeric(6,1) NOT NULL CHECK (projected_nights >= 0),
    gross_revenue          etl.money NOT NULL,
    management_fee_pct     etl.percent NOT NULL,
    management_fee         etl.money NOT NULL,
    cleaning_revenue       etl.money,
    operating_costs        etl.money,
    net_to_owner           numeric(14,2) NOT NULL,
    assumptions            jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(assumptions) = 'object'),
    model_version          text NOT NULL,
    run_id                 etl.run_id,
    created_by             text,
    created_at             timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT revenue_projections_key UNIQUE (tmk, scenario, period_start, period_end, model_version,
                                               compset_computed_on),
    CONSTRAINT revenue_projections_period CHECK (period_end > period_start),
    CONSTRAINT revenue_projections_nights CHECK (projected_nights <= available_nights),
    CONSTRAINT revenue_projections_fee CHECK (management_fee <= gross_revenue)
);

CREATE INDEX revenue_projections_tmk_idx ON homeowner_acquisition.revenue_projections (tmk, created_at DESC);

COMMENT ON TABLE homeowner_acquisition.revenue_projections IS
    'Revenue forecasts for a prospect''s property from its competitive set: comp-set ADR x occupancy x available nights = gross, minus our management fee = net to owner, with every assumption stored. Immutable once written; a new comp set or model version gives a new row.';
COMMENT ON COLUMN homeowner_acquisition.revenue_projections.revenue_projection_id IS 'Surrogate key.';
COMMENT ON COLUMN homeowner_acquisition.revenue_projections.tmk IS 'The property projected.';
COMMENT ON COLUMN homeowner_acquisition.revenue_projections.prospect_property_id IS 'The lead the projection was made for, when there is one.';
COMMENT ON COLUMN homeowner_acquisition.revenue_projections.scenario IS 'conservative, expected or optimistic.';
COMMENT ON COLUMN homeowner_acquisition.revenue_projections.period_start IS 'First night of the projected period.';
COMMENT ON COLUMN homeowner_acquisition.revenue_projections.period_end IS 'Day after the last night of the projected period (exclusive).';
COMMENT ON COLUMN homeowner_acquisition.revenue_projections.compset_computed_on IS 'computed_on date of the external.competitive_sets rows used.';
COMMENT ON COLUMN homeowner_acquisition.revenue_projections.comp_count IS 'Number of competitors whose metrics were used.';
COMMENT ON COLUMN homeowner_acquisition.revenue_projections.adr IS 'Projected average daily rate in USD (from the comp set).';
COMMENT ON COLUMN homeowner_acquisition.revenue_projections.occupancy IS 'Projected occupancy 0-1 of the available nights.';
COMMENT ON COLUMN homeowner_acquisition.revenue_projections.available_nights IS 'Nights available to rent in the period (after owner use).';
COMMENT ON COLUMN homeowner_acquisition.revenue_projections.projected_nights IS 'Projected booked nights: available_nights x occupancy.';
COMMENT ON COLUMN homeowner_acquisition.revenue_projections.gross_revenue IS 'Projected gross rent in USD: adr x projected_nights (excludes taxes).';
COMMENT ON COLUMN homeowner_acquisition.revenue_projections.management_fee_pct IS 'Management fee in percent of gross rent used for the projection.';
COMMENT ON COLUMN homeowner_acquisition.revenue_projections.management_fee IS 'Management fee in USD: gross_revenue x management_fee_pct / 100.';
COMMENT ON COLUMN homeowner_acquisition.revenue_projections.cleaning_revenue IS 'Projected cleaning fees collected from guests in USD (passed through), when modelled.';
COMMENT ON COLUMN homeowner_acquisition.revenue_projections.operating_costs IS 'Projected owner operating costs in USD (supplies, repairs, utilities), when modelled.';
COMMENT ON COLUMN homeowner_acquisition.revenue_projections.net_to_owner IS 'Projected net to owner in USD: gross_revenue - management_fee - operating_costs (may be negative).';
COMMENT ON COLUMN homeowner_acquisition.revenue_projections.assumptions IS 'All inputs and choices as a JSON object (comp ids, seasonality, owner nights, fee basis, ramp-up).';
COMMENT ON COLUMN homeowner_acquisition.revenue_projections.model_version IS 'Version of the projection model.';
COMMENT ON COLUMN homeowner_acquisition.revenue_projections.run_id IS 'etl.runs.run_id of the run that computed it, when automated.';
COMMENT ON COLUMN homeowner_acquisition.revenue_projections.created_by IS 'Team member who requested it, or mi-leads.';
COMMENT ON COLUMN homeowner_acquisition.revenue_projections.created_at IS 'When the row was inserted.';

-- ---------------------------------------------------------------------------
-- proposals, proposal_versions
-- ---------------------------------------------------------------------------
CREATE TABLE homeowner_acquisition.proposals (
    proposal_id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    proposal_number        text NOT NULL CHECK (proposal_number ~ '^[A-Z0-9][A-Z0-9-]{2,31}$'),
    prospect_id            bigint NOT NULL REFERENCES homeowner_acquisition.prospects (prospect_id),
    prospect_property_id   bigint REFERENCES homeowner_acquisition.prospect_properties (prospect_property_id),
    tmk                    external.tmk NOT NULL REFERENCES external.properties (tmk),
    status                 text NOT NULL DEFAULT 'draft'
                           CHECK (status IN ('draft', 'sent', 'viewed', 'negotiating', 'accepted', 'declined',
                                             'expired', 'withdrawn')),
    current_version_no     smallint CHECK (current_version_no >= 1),
    prepared_by            text NOT NULL,
    sent_at                timestamptz,
    expires_on             date,
    decided_at             timestamptz,
    decline_reason         text,
    created_at             timestamptz NOT NULL DEFAULT now(),
    updated_at             timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT proposals_number_key UNIQUE (proposal_number),
    CONSTRAINT proposals_id_prospect_key UNIQUE (proposal_id, prospect_id),
    CONSTRAINT proposals_sent CHECK (status = 'draft' OR status = 'withdrawn' OR sent_at IS NOT NULL),
    CONSTRAINT proposals_decided CHECK (status NOT IN ('accepted', 'declined') OR decided_at IS NOT NULL)
);

CREATE INDEX proposals_prospect_idx ON homeowner_acquisition.proposals (prospect_id);
CREATE INDEX proposals_tmk_idx ON homeowner_acquisition.proposals (tmk);

CREATE TRIGGER proposals_touch BEFORE UPDATE ON homeowner_acquisition.proposals
    FOR EACH ROW EXECUTE FUNCTION etl.touch_updated_at();

COMMENT ON TABLE homeowner_acquisition.proposals IS
    'Management proposals made to a prospect for one property; the terms of each revision are in proposal_versions, current_version_no points at the one in force.';
COMMENT ON COLUMN homeowner_acquisition.proposals.proposal_id IS 'Surrogate key.';
COMMENT ON COLUMN homeowner_acquisition.proposals.proposal_number IS 'Human proposal number printed on the document (e.g. P-2026-0042); unique.';
COMMENT ON COLUMN homeowner_acquisition.proposals.prospect_id IS 'The prospect the proposal is addressed to.';
COMMENT ON COLUMN homeowner_acquisition.proposals.prospect_property_id IS 'The lead the proposal answers, when there is one.';
COMMENT ON COLUMN homeowner_acquisition.proposals.tmk IS 'The property to be managed.';
COMMENT ON COLUMN homeowner_acquisition.proposals.status IS 'draft, sent, viewed, negotiating, accepted, declined, expired or withdrawn.';
COMMENT ON COLUMN homeowner_acquisition.proposals.current_version_no IS 'version_no of the proposal_versions row in force (the last one sent).';
COMMENT ON COLUMN homeowner_acquisition.proposals.prepared_by IS 'Team member who prepared it (login name).';
COMMENT ON COLUMN homeowner_acquisition.proposals.sent_at IS 'When the proposal was first sent; required once it left draft.';
COMMENT ON COLUMN homeowner_acquisition.proposals.expires_on IS 'Last date the offer stands.';
COMMENT ON COLUMN homeowner_acquisition.proposals.decided_at IS 'When the owner accepted or declined; required for those statuses.';
COMMENT ON COLUMN homeowner_acquisition.proposals.decline_reason IS 'Why the owner declined (price, chose another PM, selling, self-managing ...).';
COMMENT ON COLUMN homeowner_acquisition.proposals.created_at IS 'When the row was inserted.';
COMMENT ON COLUMN homeowner_acquisition.proposals.updated_at IS 'When the row was last updated (set by trigger).';

CREATE TABLE homeowner_acquisition.proposal_versions (
    proposal_version_id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    proposal_id               bigint NOT NULL REFERENCES homeowner_acquisition.proposals (proposal_id),
    version_no                smallint NOT NULL CHECK (version_no >= 1),
    management_fee_pct        etl.percent NOT NULL,
    onboarding_fee            etl.money,
    cleaning_fee              etl.money,
    contract_term_months      smallint CHECK (contract_term_months BETWEEN 1 AND 120),
    termination_notice_days   smallint CHECK (termination_notice_days BETWEEN 0 AND 365),
    owner_nights_per_year     smallint CHECK (owner_nights_per_year BETWEEN 0 AND 366),
    minimum_guarantee         etl.money,
    revenue_projection_id     bigint REFERENCES homeowner_acquisition.revenue_projections (revenue_projection_id),
    projected_gross_revenue   etl.money,
    projected_net_to_owner    numeric(14,2),
    terms                     jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(terms) = 'object'),
    change_summary            text,
    document_uri              text,
    document_sha256           etl.sha256,
    created_by                text NOT NULL,
    created_at                timestamptz NOT NULL DEFAULT now(),
    sent_at                   timestamptz,
    CONSTRAINT proposal_versions_key UNIQUE (proposal_id, version_no)
);

COMMENT ON TABLE homeowner_acquisition.proposal_versions IS
    'Immutable revisions of a proposal''s terms: one row per version (unique proposal + version_no), with the revenue projection it was based on and the document sent.';
COMMENT ON COLUMN homeowner_acquisition.proposal_versions.proposal_version_id IS 'Surrogate key.';
COMMENT ON COLUMN homeowner_acquisition.proposal_versions.proposal_id IS 'The proposal revised.';
COMMENT ON COLUMN homeowner_acquisition.proposal_versions.version_no IS 'Revision number, 1 for the first.';
COMMENT ON COLUMN homeowner_acquisition.proposal_versions.management_fee_pct IS 'Management fee offered, percent of gross rent.';
COMMENT ON COLUMN homeowner_acquisition.proposal_versions.onboarding_fee IS 'One-time onboarding fee in USD.';
COMMENT ON COLUMN homeowner_acquisition.proposal_versions.cleaning_fee IS 'Guest cleaning fee per stay in USD proposed for the listing.';
COMMENT ON COLUMN homeowner_acquisition.proposal_versions.contract_term_months IS 'Initial contract term in months.';
COMMENT ON COLUMN homeowner_acquisition.proposal_versions.termination_notice_days IS 'Notice period in days to terminate.';
COMMENT ON COLUMN homeowner_acquisition.proposal_versions.owner_nights_per_year IS 'Nights per year reserved for the owner''s own use.';
COMMENT ON COLUMN homeowner_acquisition.proposal_versions.minimum_guarantee IS 'Guaranteed minimum yearly net to owner in USD, if offered.';
COMMENT ON COLUMN homeowner_acquisition.proposal_versions.revenue_projection_id IS 'The revenue projection shown in this version.';
COMMENT ON COLUMN homeowner_acquisition.proposal_versions.projected_gross_revenue IS 'Projected yearly gross rent in USD as printed in the proposal.';
COMMENT ON COLUMN homeowner_acquisition.proposal_versions.projected_net_to_owner IS 'Projected yearly net to owner in USD as printed in the proposal.';
COMMENT ON COLUMN homeowner_acquisition.proposal_versions.terms IS 'Other terms as a JSON object (linen program, maintenance markup, marketing channels ...).';
COMMENT ON COLUMN homeowner_acquisition.proposal_versions.change_summary IS 'What changed from the previous version.';
COMMENT ON COLUMN homeowner_acquisition.proposal_versions.document_uri IS 'Where the generated proposal document is stored.';
COMMENT ON COLUMN homeowner_acquisition.proposal_versions.document_sha256 IS 'SHA-256 of the document as sent.';
COMMENT ON COLUMN homeowner_acquisition.proposal_versions.created_by IS 'Team member who wrote the version.';
COMMENT ON COLUMN homeowner_acquisition.proposal_versions.created_at IS 'When the version was written.';
COMMENT ON COLUMN homeowner_acquisition.proposal_versions.sent_at IS 'When this version was sent to the owner; NULL if never sent.';

-- ---------------------------------------------------------------------------
-- contracts
-- ---------------------------------------------------------------------------
CREATE TABLE homeowner_acquisition.contracts (
    contract_id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    contract_number           text NOT NULL CHECK (contract_number ~ '^[A-Z0-9][A-Z0-9-]{2,31}$'),
    prospect_id               bigint NOT NULL REFERENCES homeowner_acquisition.prospects (prospect_id),
    tmk                       external.tmk NOT NULL REFERENCES external.properties (tmk),
    proposal_id               bigint REFERENCES homeowner_acquisition.proposals (proposal_id),
    proposal_version_id       bigint REFERENCES homeowner_acquisition.proposal_versions (proposal_version_id),
    status                    text NOT NULL DEFAULT 'pending_signature'
                              CHECK (status IN ('pending_signature', 'signed', 'active', 'terminated',
                                                'expired', 'cancelled')),
    signed_on                 date,
    start_date                date,
    end_date                  date,
    management_fee_pct        etl.percent NOT NULL,
    term_months               smallint CHECK (term_months BETWEEN 1 AND 120),
    auto_renew                boolean NOT NULL DEFAULT true,
    termination_notice_days   smallint CHECK (termination_notice_days BETWEEN 0 AND 365),
    terminated_on             date,
    termination_reason        text,
    document_uri              text,
    signed_by                 text,
    created_at                timestamptz NOT NULL DEFAULT now(),
    updated_at                timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT contracts_number_key UNIQUE (contract_number),
    CONSTRAINT contracts_dates CHECK (end_date IS NULL OR start_date IS NULL OR end_date > start_date),
    CONSTRAINT contracts_signed CHECK (status IN ('pending_signature', 'cancelled') OR signed_on IS NOT NULL),
    CONSTRAINT contracts_active_start CHECK (status <> 'active' OR start_date IS NOT NULL),
    CONSTRAINT contracts_terminated CHECK (status <> 'terminated' OR terminated_on IS NOT NULL),
    CONSTRAINT contracts_version_needs_proposal CHECK (proposal_version_id IS NULL OR proposal_id IS NOT NULL)
);

CREATE UNIQUE INDEX contracts_one_live_per_tmk ON homeowner_acquisition.contracts (tmk)
    WHERE status IN ('signed', 'active');
CREATE INDEX contracts_prospect_idx ON homeowner_acquisition.contracts (prospect_id);

CREATE TRIGGER contracts_touch BEFORE UPDATE ON homeowner_acquisition.contracts
    FOR EACH ROW EXECUTE FUNCTION etl.touch_updated_at();

COMMENT ON TABLE homeowner_acquisition.contracts IS
    'Management contracts signed with an owner for one property; at most one signed or active contract per TMK (partial unique index). An active contract makes the property ours (external.properties.is_ours) and starts onboarding_progress.';
COMMENT ON COLUMN homeowner_acquisition.contracts.contract_id IS 'Surrogate key.';
COMMENT ON COLUMN homeowner_acquisition.contracts.contract_number IS 'Human contract number printed on the agreement; unique.';
COMMENT ON COLUMN homeowner_acquisition.contracts.prospect_id IS 'The owner who signed (prospects).';
COMMENT ON COLUMN homeowner_acquisition.contracts.tmk IS 'The property managed under the contract.';
COMMENT ON COLUMN homeowner_acquisition.contracts.proposal_id IS 'The proposal the contract came from.';
COMMENT ON COLUMN homeowner_acquisition.contracts.proposal_version_id IS 'The proposal version whose terms were signed.';
COMMENT ON COLUMN homeowner_acquisition.contracts.status IS 'pending_signature, signed, active (managing), terminated, expired or cancelled (never signed).';
COMMENT ON COLUMN homeowner_acquisition.contracts.signed_on IS 'Date the owner signed; required once signed.';
COMMENT ON COLUMN homeowner_acquisition.contracts.start_date IS 'First day of management.';
COMMENT ON COLUMN homeowner_acquisition.contracts.end_date IS 'End of the current term (exclusive); NULL for open-ended.';
COMMENT ON COLUMN homeowner_acquisition.contracts.management_fee_pct IS 'Agreed management fee, percent of gross rent.';
COMMENT ON COLUMN homeowner_acquisition.contracts.term_months IS 'Contract term in months.';
COMMENT ON COLUMN homeowner_acquisition.contracts.auto_renew IS 'True when the term renews automatically.';
COMMENT ON COLUMN homeowner_acquisition.contracts.termination_notice_days IS 'Notice period in days to terminate.';
COMMENT ON COLUMN homeowner_acquisition.contracts.terminated_on IS 'Date the contract was terminated; required for status terminated.';
COMMENT ON COLUMN homeowner_acquisition.contracts.termination_reason IS 'Why it was terminated.';
COMMENT ON COLUMN homeowner_acquisition.contracts.document_uri IS 'Where the signed agreement is stored.';
COMMENT ON COLUMN homeowner_acquisition.contracts.signed_by IS 'Name of the signatory for the owner (trustee, officer ...).';
COMMENT ON COLUMN homeowner_acquisition.contracts.created_at IS 'When the row was inserted.';
COMMENT ON COLUMN homeowner_acquisition.contracts.updated_at IS 'When the row was last updated (set by trigger).';

-- ---------------------------------------------------------------------------
-- onboarding_tasks (templates) and onboarding_progress
-- ---------------------------------------------------------------------------
CREATE TABLE homeowner_acquisition.onboarding_tasks (
    task_code          etl.code PRIMARY KEY,
    title              text NOT NULL CHECK (title <> ''),
    description        text NOT NULL,
    category           text NOT NULL CHECK (category IN ('compliance', 'legal', 'finance', 'setup',
                                                         'marketing', 'operations', 'owner')),
    responsible_role   text NOT NULL CHECK (responsible_role IN ('onboarding', 'owner', 'operations',
                                                                 'marketing', 'accounting', 'maintenance')),
    counties           smallint[] NOT NULL DEFAULT '{1,2,3,4}'
                       CHECK (counties <@ '{1,2,3,4}'::smallint[] AND cardinality(counties) >= 1),
    due_offset_days    smallint NOT NULL CHECK (due_offset_days BETWEEN -60 AND 180),
    is_required        boolean NOT NULL DEFAULT true,
    blocks_go_live     boolean NOT NULL DEFAULT false,
    sort_order         smallint NOT NULL,
    is_active          boolean NOT NULL DEFAULT true,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now()
);

CREATE TRIGGER onboarding_tasks_touch BEFORE UPDATE ON homeowner_acquisition.onboarding_tasks
    FOR EACH ROW EXECUTE FUNCTION etl.touch_updated_at();

COMMENT ON TABLE homeowner_acquisition.onboarding_tasks IS
    'Templates of the onboarding checklist of a newly signed property (Hawaii tax licences, county STR permit, insurance, setup, listing, owner portal ...). Each contract gets one onboarding_progress row per active template that applies to its county.';
COMMENT ON COLUMN homeowner_acquisition.onboarding_tasks.task_code IS 'Stable upper-case code of the task (natural key).';
COMMENT ON COLUMN homeowner_acquisition.onboarding_tasks.title IS 'Short task title.';
COMMENT ON COLUMN homeowner_acquisition.onboarding_tasks.description IS 'What to do and what counts as done.';
COMMENT ON COLUMN homeowner_acquisition.onboarding_tasks.category IS 'compliance, legal, finance, setup, marketing, operations or owner.';
COMMENT ON COLUMN homeowner_acquisition.onboarding_tasks.responsible_role IS 'Who does it: onboarding, owner, operations, marketing, accounting or maintenance.';
COMMENT ON COLUMN homeowner_acquisition.onboarding_tasks.counties IS 'TMK county digits the task applies to (county-specific permits); all four by default.';
COMMENT ON COLUMN homeowner_acquisition.onboarding_tasks.due_offset_days IS 'Due date as days after the contract start date (negative = before go-live start).';
COMMENT ON COLUMN homeowner_acquisition.onboarding_tasks.is_required IS 'False for optional tasks that may be marked not_applicable.';
COMMENT ON COLUMN homeowner_acquisition.onboarding_tasks.blocks_go_live IS 'True when the listing must not take bookings before the task is done (legal or safety).';
COMMENT ON COLUMN homeowner_acquisition.onboarding_tasks.sort_order IS 'Order of the task in the checklist.';
COMMENT ON COLUMN homeowner_acquisition.onboarding_tasks.is_active IS 'False retires the template for new contracts.';
COMMENT ON COLUMN homeowner_acquisition.onboarding_tasks.created_at IS 'When the row was inserted.';
COMMENT ON COLUMN homeowner_acquisition.onboarding_tasks.updated_at IS 'When the row was last updated (set by trigger).';

INSERT INTO homeowner_acquisition.onboarding_tasks
    (task_code, title, description, category, responsible_role, counties, due_offset_days,
     is_required, blocks_go_live, sort_order) VALUES
    ('SIGNED_AGREEMENT_FILED', 'File the signed management agreement', 'Store the countersigned agreement and record start date, fee and term in the contract.', 'legal', 'onboarding', '{1,2,3,4}', 0, true, true, 10),
    ('OWNER_W9_AND_BANKING', 'Owner W-9 and payout account', 'Collect the owner''s W-9 (or W-8 for foreign owners, with withholding noted) and verified bank details for owner payouts.', 'finance', 'accounting', '{1,2,3,4}', 7, true, true, 20),
    ('GET_LICENSE_CHECK', 'Verify GET license', 'Confirm the owner''s Hawaii General Excise Tax license (GE-###-###-####-##) is active, or register one, and record who files.', 'compliance', 'accounting', '{1,2,3,4}', 7, true, true, 30),
    ('TAT_LICENSE_CHECK', 'Verify TAT registration', 'Confirm the Transient Accommodations Tax registration (TA-###-###-####-##) covers this unit; file the registration for the place of business if missing (HRS 237D-4).', 'compliance', 'accounting', '{1,2,3,4}', 7, true, true, 40),
    ('COUNTY_TAT_CHECK', 'Verify county TAT', 'Confirm the county transient accommodations tax account for the unit and the filing schedule.', 'compliance', 'accounting', '{1,2,3,4}', 14, true, false, 50),
    ('STR_PERMIT_VERIFY', 'Verify STR legality and permit', 'Check zoning and the county short-term-rental permit, registration or non-conforming use certificate for the TMK against the county list; keep the certificate number for every ad.', 'compliance', 'onboarding', '{1,2,3,4}', 0, true, true, 60),
    ('HONOLULU_STR_REGISTRATION', 'Honolulu STR registration or NUC', 'Oahu: confirm the resort-zone location or the DPP registration / NUC, and that ads will show the registration or NUC number, TMK and address (Ord. 22-7).', 'compliance', 'onboarding', '{1}', 0, true, true, 70),
    ('MAUI_STRH_PERMIT', 'Maui STRH permit or apartment-district status', 'Maui County: confirm the STRH/B&B permit number (or hotel/apartment-district legality) and its renewal date; permit number in every ad.', 'compliance', 'onboarding', '{2}', 0, true, true, 80),
    ('HAWAII_STVR_REGISTRATION', 'Hawaii County STVR registration', 'Hawaii Island: confirm the STVR registration or NUC for the TMK and its annual renewal; number in every ad.', 'compliance', 'onboarding', '{3}', 0, true, true, 90),
    ('KAUAI_TVR_CERTIFICATE', 'Kauai TVR certificate', 'Kauai: confirm the unit is in a Visitor Destination Area or holds a TVR non-conforming use certificate (TVNC) with its annual renewal.', 'compliance', 'onboarding', '{4}', 0, true, true, 100),
    ('LOCAL_CONTACT', 'Designate the local contact', 'Register our on-island local contact for the unit and post it as required (HRS 237D, county rules).', 'compliance', 'onboarding', '{1,2,3,4}', 0, true, true, 110),
    ('HOA_RULES_REVIEW', 'Review HOA/AOAO rules', 'Obtain the AOAO or HOA house rules: rental minimums, registration of guests, parking, pool and noise rules, front-desk check-in.', 'legal', 'onboarding', '{1,2,3,4}', 7, false, false, 120),
    ('INSURANCE_STR_POLICY', 'Short-term-rental insurance', 'Obtain proof of a short-term-rental liability policy (at least USD 1M) naming us as additional insured, plus hurricane and flood cover where applicable.', 'legal', 'owner', '{1,2,3,4}', 7, true, true, 130),
    ('PROPERTY_INSPECTION', 'Onboarding inspection', 'Walk-through with checklist and photos: condition, repairs needed, appliances, lanai, plumbing, A/C.', 'operations', 'maintenance', '{1,2,3,4}', 3, true, false, 140),
    ('SAFETY_EQUIPMENT', 'Safety equipment', 'Smoke and CO detectors in place and tested, fire extinguisher, first-aid kit, posted evacuation and tsunami route.', 'operations', 'maintenance', '{1,2,3,4}', 10, true, true, 150),
    ('REPAIRS_PUNCH_LIST', 'Punch-list repairs', 'Complete the repairs found at inspection that block guest stays; agree the rest with the owner.', 'operations', 'maintenance', '{1,2,3,4}', 21, true, false, 160),
    ('SMART_LOCK_INSTALL', 'Install smart lock', 'Install and pair a keypad smart lock (or lockbox) and set guest code rotation.', 'setup', 'operations', '{1,2,3,4}', 14, true, true, 170),
    ('WIFI_SETUP', 'Wi-Fi and devices', 'Business-grade Wi-Fi with our management access; noise/occupancy monitor where allowed; TV and streaming accounts.', 'setup', 'operations', '{1,2,3,4}', 14, true, false, 180),
    ('INVENTORY_LINENS', 'Inventory and linen par', 'Take the furnishings inventory with photos and stock linens and towels to three pars per bed and bath.', 'setup', 'operations', '{1,2,3,4}', 14, true, false, 190),
    ('CLEANING_SETUP', 'Cleaning and laundry setup', 'Assign the turnover cleaning team, cleaning checklist, laundry service and supply restocking.', 'operations', 'operations', '{1,2,3,4}', 14, true, true, 200),
    ('SUPPLIES_STOCK', 'Guest supplies', 'Stock the starter kit: toiletries, paper goods, kitchen basics, beach gear if offered.', 'setup', 'operations', '{1,2,3,4}', 18, true, false, 210),
    ('MAINTENANCE_VENDORS', 'Maintenance vendors', 'Set up pest control, pool/spa, landscaping, A/C service and an emergency plumber and electrician.', 'operations', 'maintenance', '{1,2,3,4}', 21, true, false, 220),
    ('PHOTOGRAPHY', 'Professional photos', 'Schedule the photographer after staging; at least 25 edited photos including lanai and view.', 'marketing', 'marketing', '{1,2,3,4}', 21, true, false, 230),
    ('LISTING_COPY', 'Listing description', 'Write the listing title and description, house rules, and the required TAT number, permit/NUC number and TMK.', 'marketing', 'marketing', '{1,2,3,4}', 24, true, false, 240),
    ('PRICING_SETUP', 'Pricing setup', 'Set base rate, seasonal and minimum-stay rules from the competitive set; cleaning fee and taxes.', 'marketing', 'marketing', '{1,2,3,4}', 24, true, false, 250),
    ('EXISTING_BOOKINGS_TRANSFER', 'Transfer existing bookings', 'Import future reservations and owner blocks from the previous manager or the owner''s calendars; honour their terms.', 'operations', 'onboarding', '{1,2,3,4}', 10, true, false, 260),
    ('LISTING_CREATION', 'Create channel listings', 'Create or take over the listings on our channels and our website, with the calendar synced.', 'marketing', 'marketing', '{1,2,3,4}', 28, true, false, 270),
    ('GUIDEBOOK', 'Guest guidebook', 'Digital house manual: check-in, Wi-Fi, parking, trash days, beach access, emergency numbers.', 'setup', 'marketing', '{1,2,3,4}', 28, true, false, 280),
    ('OWNER_PORTAL_ACCESS', 'Owner portal access', 'Create the owner''s portal login; walk them through statements, calendar and owner-stay bookings.', 'owner', 'onboarding', '{1,2,3,4}', 14, true, false, 290),
    ('FIRST_GUEST_QA', 'Pre-arrival quality check', 'Final inspection before the first guest: cleanliness, lock code, supplies, safety items.', 'operations', 'operations', '{1,2,3,4}', 30, true, true, 300)
ON CONFLICT DO NOTHING;

CREATE TABLE homeowner_acquisition.onboarding_progress (
    onboarding_progress_id  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    contract_id             bigint NOT NULL REFERENCES homeowner_acquisition.contracts (contract_id),
    task_code               etl.code NOT NULL REFERENCES homeowner_acquisition.onboarding_tasks (task_code),
    status                  text NOT NULL DEFAULT 'pending'
                            CHECK (status IN ('pending', 'in_progress', 'blocked', 'done', 'skipped',
                                              'not_applicable')),
    assigned_to             text,
    due_on                  date,
    started_at              timestamptz,
    completed_at            timestamptz,
    completed_by            text,
    blocked_reason          text,
    evidence_uri            text,
    notes                   text,
    created_at              timestamptz NOT NULL DEFAULT now(),
    updated_at              timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT onboarding_progress_key UNIQUE (contract_id, task_code),
    CONSTRAINT onboarding_progress_done CHECK ((status = 'done') = (completed_at IS NOT NULL)),
    CONSTRAINT onboarding_progress_blocked CHECK (status <> 'blocked' OR blocked_reason IS NOT NULL),
    CONSTRAINT onboarding_progress_order CHECK (completed_at IS NULL OR started_at IS NULL
                                                OR completed_at >= started_at)
);

CREATE INDEX onboarding_progress_open_idx ON homeowner_acquisition.onboarding_progress (assigned_to, due_on)
    WHERE status IN ('pending', 'in_progress', 'blocked');

CREATE TRIGGER onboarding_progress_touch BEFORE UPDATE ON homeowner_acquisition.onboarding_progress
    FOR EACH ROW EXECUTE FUNCTION etl.touch_updated_at();

COMMENT ON TABLE homeowner_acquisition.onboarding_progress IS
    'Progress of each onboarding task for a contract: one row per contract and task template (unique), created from onboarding_tasks when the contract is signed.';
COMMENT ON COLUMN homeowner_acquisition.onboarding_progress.onboarding_progress_id IS 'Surrogate key.';
COMMENT ON COLUMN homeowner_acquisition.onboarding_progress.contract_id IS 'The contract being onboarded.';
COMMENT ON COLUMN homeowner_acquisition.onboarding_progress.task_code IS 'The task template (onboarding_tasks).';
COMMENT ON COLUMN homeowner_acquisition.onboarding_progress.status IS 'pending, in_progress, blocked, done, skipped or not_applicable.';
COMMENT ON COLUMN homeowner_acquisition.onboarding_progress.assigned_to IS 'Team member responsible (login name).';
COMMENT ON COLUMN homeowner_acquisition.onboarding_progress.due_on IS 'Due date: contract start_date + template due_offset_days, adjustable.';
COMMENT ON COLUMN homeowner_acquisition.onboarding_progress.started_at IS 'When work on the task started.';
COMMENT ON COLUMN homeowner_acquisition.onboarding_progress.completed_at IS 'When the task was done; set exactly when status is done.';
COMMENT ON COLUMN homeowner_acquisition.onboarding_progress.completed_by IS 'Who completed it.';
COMMENT ON COLUMN homeowner_acquisition.onboarding_progress.blocked_reason IS 'What blocks the task; required when status is blocked.';
COMMENT ON COLUMN homeowner_acquisition.onboarding_progress.evidence_uri IS 'Where the proof is stored (certificate scan, insurance binder, photos).';
COMMENT ON COLUMN homeowner_acquisition.onboarding_progress.notes IS 'Free-text notes.';
COMMENT ON COLUMN homeowner_acquisition.onboarding_progress.created_at IS 'When the row was inserted.';
COMMENT ON COLUMN homeowner_acquisition.onboarding_progress.updated_at IS 'When the row was last updated (set by trigger).';

-- ---------------------------------------------------------------------------
-- The lead queue and its claim
-- ---------------------------------------------------------------------------
CREATE VIEW homeowner_acquisition.lead_queue AS
SELECT pp.prospect_property_id,
       pp.prospect_id,
       pp.tmk,
       p.display_name,
       pr.tmk_display,
       pr.address,
       pr.city,
       pr.island,
       pp.lead_source_code,
       pp.opportunity_score,
       pp.priority_boost,
       coalesce(pp.opportunity_score, 0) + pp.priority_boost AS queue_score,
       pp.score_signals,
       pp.status,
       pp.claimed_by,
       pp.claimed_at,
       pp.claim_expires_at,
       pp.next_action_at,
       pp.scored_at
  FROM homeowner_acquisition.prospect_properties pp
  JOIN homeowner_acquisition.prospects p ON p.prospect_id = pp.prospect_id
  JOIN external.properties pr ON pr.tmk = pp.tmk
 WHERE NOT p.do_not_contact
   AND NOT pr.is_ours
   AND (pp.status IN ('new', 'queued')
        OR (pp.status = 'claimed' AND pp.claim_expires_at < now())
        OR (pp.status = 'snoozed' AND pp.snoozed_until <= current_date))
 ORDER BY coalesce(pp.opportunity_score, 0) + pp.priority_boost DESC, pp.scored_at, pp.prospect_property_id;

COMMENT ON VIEW homeowner_acquisition.lead_queue IS
    'The lead queue: property leads waiting for a team member (new, queued, lapsed claims, snoozes that ended), best first by opportunity score plus manual boost; excludes do-not-contact prospects and our own properties. Take the next lead with claim_next_lead().';
COMMENT ON COLUMN homeowner_acquisition.lead_queue.prospect_property_id IS 'The lead (prospect_properties key).';
COMMENT ON COLUMN homeowner_acquisition.lead_queue.prospect_id IS 'The owner prospect.';
COMMENT ON COLUMN homeowner_acquisition.lead_queue.tmk IS 'The property TMK.';
COMMENT ON COLUMN homeowner_acquisition.lead_queue.display_name IS 'Owner display name.';
COMMENT ON COLUMN homeowner_acquisition.lead_queue.tmk_display IS 'TMK in display form.';
COMMENT ON COLUMN homeowner_acquisition.lead_queue.address IS 'Property situs address.';
COMMENT ON COLUMN homeowner_acquisition.lead_queue.city IS 'Property city.';
COMMENT ON COLUMN homeowner_acquisition.lead_queue.island IS 'Property island.';
COMMENT ON COLUMN homeowner_acquisition.lead_queue.lead_source_code IS 'Strongest signal or channel of the lead.';
COMMENT ON COLUMN homeowner_acquisition.lead_queue.opportunity_score IS 'Opportunity score 0-100 from mi-leads.';
COMMENT ON COLUMN homeowner_acquisition.lead_queue.priority_boost IS 'Manual adjustment added to the score.';
COMMENT ON COLUMN homeowner_acquisition.lead_queue.queue_score IS 'Order key: opportunity_score (0 when unscored) + priority_boost.';
COMMENT ON COLUMN homeowner_acquisition.lead_queue.score_signals IS 'Signals and contributions explaining the score.';
COMMENT ON COLUMN homeowner_acquisition.lead_queue.status IS 'Pipeline status (new, queued, or a lapsed claimed / ended snoozed).';
COMMENT ON COLUMN homeowner_acquisition.lead_queue.claimed_by IS 'Previous claimer of a lapsed claim.';
COMMENT ON COLUMN homeowner_acquisition.lead_queue.claimed_at IS 'When the lapsed claim was taken.';
COMMENT ON COLUMN homeowner_acquisition.lead_queue.claim_expires_at IS 'When the lapsed claim expired.';
COMMENT ON COLUMN homeowner_acquisition.lead_queue.next_action_at IS 'Follow-up due date, if any.';
COMMENT ON COLUMN homeowner_acquisition.lead_queue.scored_at IS 'When the score was computed (older first among equal scores).';

CREATE FUNCTION homeowner_acquisition.claim_next_lead(claimer text, lease interval DEFAULT interval '4 hours')
    RETURNS bigint
    LANGUAGE plpgsql AS $$
DECLARE
    picked bigint;
BEGIN
    IF claimer IS NULL OR claimer = '' THEN
        RAISE EXCEPTION 'claimer must not be empty' USING ERRCODE = '22023';
    END IF;
    IF lease IS NULL OR lease <= interval '0' THEN
        RAISE EXCEPTION 'lease "%" must be positive', lease USING ERRCODE = '22023';
    END IF;
    SELECT pp.prospect_property_id INTO picked
      FROM homeowner_acquisition.prospect_properties pp
      JOIN homeowner_acquisition.prospects p ON p.prospect_id = pp.prospect_id
      JOIN external.properties pr ON pr.tmk = pp.tmk
     WHERE NOT p.do_not_contact
       AND NOT pr.is_ours
       AND (pp.status IN ('new', 'queued')
            OR (pp.status = 'claimed' AND pp.claim_expires_at < now())
            OR (pp.status = 'snoozed' AND pp.snoozed_until <= current_date))
     ORDER BY coalesce(pp.opportunity_score, 0) + pp.priority_boost DESC, pp.scored_at, pp.prospect_property_id
     LIMIT 1
       FOR UPDATE OF pp SKIP LOCKED;
    IF picked IS NULL THEN
        RETURN NULL;
    END IF;
    UPDATE homeowner_acquisition.prospect_properties
       SET status = 'claimed', claimed_by = claimer, claimed_at = now(),
           claim_expires_at = now() + lease, snoozed_until = NULL
     WHERE prospect_property_id = picked;
    RETURN picked;
END
$$;
COMMENT ON FUNCTION homeowner_acquisition.claim_next_lead(text, interval) IS
    'Claims the best lead of the queue for claimer (status claimed, claimed_by, claimed_at, claim_expires_at = now() + lease) and returns its prospect_property_id, or NULL when the queue is empty. Uses FOR UPDATE SKIP LOCKED so concurrent callers never get the same lead. A claim that is not followed up before it expires returns the lead to the queue.';
