-- 060_lead_desk.sql: the lead desk.  The owner (a prospect) becomes the unit of
-- work: its stage, its claim, its follow-up and its snooze live on the
-- prospect, never on one of its properties, so that one agent holds the owner
-- with all of its parcels.  The agent actions are SQL functions, one per
-- migration (061-068), so that mi-leads, psql or any front end share the same
-- rules and the same errors; this file holds what they share:
--
--   etl.lead_settings                 the desk's settings (claim lease, hold),
--                                     written by mi-leads score from config/leads.ini
--   etl.lead_suppressions             the suppression list (mi-leads suppress, dnc)
--   prospects                         stage machine, claim, follow-up, snooze columns;
--                                     a guard trigger enforces the stage machine
--                                     and makes do-not-contact final
--   prospect_properties               loses its claim columns (moved to the owner)
--   lead_activities                   new kinds (claim, release, assign, snooze,
--                                     do_not_contact), follow-up, stage and hand-over columns
--   lead_stages(), lead_stage_moves() the stage machine as data (docs/desk.md)
--   lead_desk_errors()                the SQLSTATEs the desk raises (class LD)
--   lead_board, lead_queue            one row per owner: every figure the queue,
--                                     the export and the report show
--
-- Errors raised by the desk (class LD, "lead desk"; 22023 for a bad value):
--   LD001 no such lead               LD006 a reason is required
--   LD002 claimed by another agent   LD007 the owner is do-not-contact
--   LD003 your claim lapsed          LD008 the lead is closed for that action
--   LD004 you do not hold the claim  LD009 the owner is on the suppression list
--   LD005 illegal stage move

-- ---------------------------------------------------------------------------
-- Settings
-- ---------------------------------------------------------------------------
CREATE TABLE etl.lead_settings (
    singleton   boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    settings    jsonb NOT NULL CHECK (jsonb_typeof(settings) = 'object'),
    version     text,
    updated_at  timestamptz NOT NULL DEFAULT now()
);
INSERT INTO etl.lead_settings (settings)
VALUES ('{"claim_hours": 4, "hold_days": 14, "signal_since_lost_points": 30}');

COMMENT ON TABLE etl.lead_settings IS
    'The settings of the last mi-leads score (config/leads.ini as a JSON object, one row), so that the lead desk functions called from psql or a front end use the configured claim lease and hold (claim_hours, hold_days) like mi-leads does. The migration writes the defaults; mi-leads score replaces them when they differ.';
COMMENT ON COLUMN etl.lead_settings.singleton IS 'Always true: the table has one row.';
COMMENT ON COLUMN etl.lead_settings.settings IS 'The settings object mi-leads passes to etl.score_leads (numeric values by name, e.g. claim_hours, hold_days).';
COMMENT ON COLUMN etl.lead_settings.version IS 'The [scoring] version of the settings; NULL for the migration''s defaults.';
COMMENT ON COLUMN etl.lead_settings.updated_at IS 'When mi-leads last wrote the settings.';

CREATE FUNCTION etl.lead_desk_setting(p_key text) RETURNS numeric
    LANGUAGE sql STABLE AS $$
    SELECT coalesce((SELECT CASE WHEN jsonb_typeof(s.settings -> p_key) = 'number'
                                 THEN (s.settings ->> p_key)::numeric END
                       FROM etl.lead_settings s),
                    CASE p_key WHEN 'claim_hours' THEN 4 WHEN 'hold_days' THEN 14
                               WHEN 'signal_since_lost_points' THEN 30 END)
$$;
COMMENT ON FUNCTION etl.lead_desk_setting(text) IS
    'A numeric desk setting from etl.lead_settings (claim_hours: how long a fresh claim holds untouched; hold_days: how long a touch holds it; signal_since_lost_points), else its built-in default (4, 14, 30); NULL for an unknown key.';

-- ---------------------------------------------------------------------------
-- The suppression list
-- ---------------------------------------------------------------------------
CREATE TABLE etl.lead_suppressions (
    suppression_id  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    owner_key       text CHECK (owner_key <> ''),
    address_key     text CHECK (address_key <> ''),
    zip5            text CHECK (zip5 ~ '^[0-9]{5}$'),
    owner_name      text,
    address         text,
    reason          text NOT NULL CHECK (reason <> ''),
    source          text NOT NULL CHECK (source <> ''),
    source_line     integer CHECK (source_line > 0),
    added_by        text NOT NULL CHECK (added_by <> ''),
    added_at        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT lead_suppressions_what CHECK (owner_key IS NOT NULL OR address_key IS NOT NULL),
    CONSTRAINT lead_suppressions_zip CHECK (zip5 IS NULL OR address_key IS NOT NULL),
    CONSTRAINT lead_suppressions_key UNIQUE NULLS NOT DISTINCT (owner_key, address_key, zip5)
);
CREATE INDEX lead_suppressions_owner_idx ON etl.lead_suppressions (owner_key) WHERE owner_key IS NOT NULL;
CREATE INDEX lead_suppressions_address_idx ON etl.lead_suppressions (address_key)
    WHERE address_key IS NOT NULL;

COMMENT ON TABLE etl.lead_suppressions IS
    'Owners never to be queued, claimed or exported: the imported suppression lists (mi-leads suppress, through homeowner_acquisition.add_lead_suppression) and the owner keys of do-not-contact owners (homeowner_acquisition.mark_do_not_contact). An entry matches a prospect when every key it has matches: owner_key the prospect''s owner key, address_key its mailing address key (prospects.mailing_norm_key, else mailing_address_key), zip5 the first five digits of its mailing ZIP when both are known. Kept in etl because the user''s document fixes homeowner_acquisition at eleven tables.';
COMMENT ON COLUMN etl.lead_suppressions.suppression_id IS 'Surrogate key.';
COMMENT ON COLUMN etl.lead_suppressions.owner_key IS 'Owner key by the owner normalizer (same rules as external.properties.owner_key); NULL when the entry is an address only.';
COMMENT ON COLUMN etl.lead_suppressions.address_key IS 'Mailing address key by the address normalizer (house street #unit); NULL when the entry is a name only.';
COMMENT ON COLUMN etl.lead_suppressions.zip5 IS 'Five-digit ZIP of the listed address, when given: an address key matches only mailing addresses with that ZIP (or none).';
COMMENT ON COLUMN etl.lead_suppressions.owner_name IS 'The owner name as the list wrote it.';
COMMENT ON COLUMN etl.lead_suppressions.address IS 'The address as the list wrote it (street, city, state, ZIP joined).';
COMMENT ON COLUMN etl.lead_suppressions.reason IS 'Why the owner is suppressed (the list''s reason column, or the do-not-contact reason).';
COMMENT ON COLUMN etl.lead_suppressions.source IS 'Where the entry came from: the imported file''s name, or "do not contact: lead N".';
COMMENT ON COLUMN etl.lead_suppressions.source_line IS 'Line of the entry in the imported file.';
COMMENT ON COLUMN etl.lead_suppressions.added_by IS 'Agent who imported the list or marked the owner do-not-contact.';
COMMENT ON COLUMN etl.lead_suppressions.added_at IS 'When the entry was added.';

-- ---------------------------------------------------------------------------
-- The owner's care-of line (loaded by sql/load/owners.sql, carried to prospects)
-- ---------------------------------------------------------------------------
ALTER TABLE external.properties ADD COLUMN owner_care_of text CHECK (owner_care_of <> '');
COMMENT ON COLUMN external.properties.owner_care_of IS
    'Care-of line of the owner''s mailing address (the person it goes to: a trustee, an accountant; without "C/O"), from the roll''s care-of column or a C/O tail of the owner name; NULL when none. mi-leads copies it to prospects.care_of.';
COMMENT ON COLUMN external.properties.owner_mailing_address IS
    'Owner mailing street address as on the roll; its care-of line is apart, in owner_care_of.';

-- ---------------------------------------------------------------------------
-- The stage machine
-- ---------------------------------------------------------------------------
CREATE FUNCTION homeowner_acquisition.lead_stages()
    RETURNS TABLE (stage text, stage_order smallint, is_open boolean, description text)
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    VALUES ('new'::text, 1::smallint, true, 'nobody has reached the owner yet'::text),
           ('contacted', 2, true, 'a call, email, letter or visit reached out to the owner'),
           ('meeting', 3, true, 'a meeting or site visit with the owner is set or done'),
           ('proposal', 4, true, 'a management proposal is with the owner'),
           ('negotiating', 5, true, 'the owner is discussing terms'),
           ('nurture', 6, true, 'not now: keep in touch, follow up later'),
           ('won', 7, false, 'the owner signed'),
           ('lost', 8, false, 'the owner said no or went elsewhere (a reason is required)'),
           ('do_not_contact', 9, false, 'the owner asked not to be contacted: out of every list for good')
$$;
COMMENT ON FUNCTION homeowner_acquisition.lead_stages() IS
    'The stages of a lead (prospects.status) in their order: the open ones (new, contacted, meeting, proposal, negotiating, nurture) are worked and queued; won, lost and do_not_contact are closed. Moves between them: lead_stage_moves().';

CREATE FUNCTION homeowner_acquisition.lead_stage_moves()
    RETURNS TABLE (from_stage text, to_stage text)
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT f, t FROM (VALUES
        ('new', ARRAY['contacted', 'meeting', 'nurture', 'lost', 'do_not_contact']),
        ('contacted', ARRAY['meeting', 'proposal', 'nurture', 'lost', 'do_not_contact']),
        ('meeting', ARRAY['proposal', 'nurture', 'lost', 'do_not_contact']),
        ('proposal', ARRAY['negotiating', 'won', 'nurture', 'lost', 'do_not_contact']),
        ('negotiating', ARRAY['won', 'nurture', 'lost', 'do_not_contact']),
        ('nurture', ARRAY['contacted', 'meeting', 'proposal', 'lost', 'do_not_contact']),
        ('lost', ARRAY['contacted', 'nurture', 'do_not_contact']),
        ('won', ARRAY['do_not_contact'])) AS m(f, ts)
     CROSS JOIN LATERAL unnest(m.ts) AS t
$$;
COMMENT ON FUNCTION homeowner_acquisition.lead_stage_moves() IS
    'Every legal stage move (from_stage -> to_stage), enforced by the prospects_desk_guard trigger whoever updates prospects.status: forward through new, contacted, meeting, proposal, negotiating to won; to nurture from any open stage and back to contacted, meeting or proposal; to lost from any open stage; a lost owner who comes back is reopened to contacted or nurture; do_not_contact from any stage, and nothing ever leaves it. No move goes back along new -> contacted -> meeting -> proposal -> negotiating.';

CREATE FUNCTION homeowner_acquisition.lead_desk_errors()
    RETURNS TABLE (sqlstate text, meaning text)
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    VALUES ('LD001'::text, 'no such lead'::text),
           ('LD002', 'the lead is claimed by another agent'),
           ('LD003', 'your claim on the lead lapsed (untouched past its expiry)'),
           ('LD004', 'you do not hold a claim on the lead'),
           ('LD005', 'illegal stage move (or the lead is already at that stage)'),
           ('LD006', 'a reason is required'),
           ('LD007', 'the owner is do-not-contact'),
           ('LD008', 'the lead is closed for that action (won or lost)'),
           ('LD009', 'the owner is on the suppression list'),
           ('22023', 'a bad value (unknown channel, outcome or stage, a date in the past)')
$$;
COMMENT ON FUNCTION homeowner_acquisition.lead_desk_errors() IS
    'The SQLSTATEs the lead desk functions raise, for a front end to switch on; the message of each error is a sentence an agent can read (e.g. "lead 12 is claimed by kalani until 2026-12-05 15:04"), with a DETAIL and a HINT where they help.';

-- ---------------------------------------------------------------------------
-- prospects: the stage, the claim, the follow-up
-- ---------------------------------------------------------------------------
ALTER TABLE homeowner_acquisition.prospects
    ADD COLUMN claimed_at            timestamptz,
    ADD COLUMN claim_expires_at      timestamptz,
    ADD COLUMN follow_up_on          date,
    ADD COLUMN snoozed_until         date,
    ADD COLUMN stage_changed_at      timestamptz,
    ADD COLUMN closed_reason         text,
    ADD COLUMN closed_at             timestamptz,
    ADD COLUMN last_contacted_at     timestamptz,
    ADD COLUMN last_touched_at       timestamptz,
    ADD COLUMN signal_since_lost_at  timestamptz,
    ADD COLUMN mailing_norm_key      text;

ALTER TABLE homeowner_acquisition.prospects DROP CONSTRAINT prospects_status_check;

-- carry what the properties held: the latest claim, the latest snooze, the
-- earliest follow-up, the furthest stage
UPDATE homeowner_acquisition.prospects p
   SET assigned_to = c.claimed_by, claimed_at = c.claimed_at, claim_expires_at = c.claim_expires_at
  FROM (SELECT DISTINCT ON (pp.prospect_id) pp.prospect_id, pp.claimed_by, pp.claimed_at,
               pp.claim_expires_at
          FROM homeowner_acquisition.prospect_properties pp
         WHERE pp.claimed_by IS NOT NULL
         ORDER BY pp.prospect_id, pp.claimed_at DESC, pp.claimed_by) c
 WHERE c.prospect_id = p.prospect_id;
UPDATE homeowner_acquisition.prospects p
   SET snoozed_until = x.snoozed_until, follow_up_on = x.follow_up_on,
       last_contacted_at = x.last_contacted_at,
       status = CASE WHEN p.status = 'new' THEN coalesce(x.stage, p.status) ELSE p.status END
  FROM (SELECT pp.prospect_id,
               max(pp.snoozed_until) FILTER (WHERE pp.status = 'snoozed') AS snoozed_until,
               min(pp.next_action_at)::date AS follow_up_on,
               max(pp.last_contacted_at) AS last_contacted_at,
               (array_agg(CASE pp.status WHEN 'contacted' THEN 'contacted' WHEN 'qualified' THEN 'meeting'
                                         WHEN 'proposal' THEN 'proposal' END
                          ORDER BY CASE pp.status WHEN 'proposal' THEN 1 WHEN 'qualified' THEN 2
                                                  WHEN 'contacted' THEN 3 ELSE 4 END))[1] AS stage
          FROM homeowner_acquisition.prospect_properties pp
         GROUP BY pp.prospect_id) x
 WHERE x.prospect_id = p.prospect_id;

UPDATE homeowner_acquisition.prospects
   SET closed_reason = CASE WHEN status = 'disqualified' THEN 'disqualified before the lead desk'
                            WHEN status = 'lost' THEN coalesce(closed_reason, 'lost before the lead desk')
                            ELSE closed_reason END,
       status = CASE status WHEN 'engaged' THEN 'meeting' WHEN 'client' THEN 'won'
                            WHEN 'dormant' THEN 'nurture' WHEN 'disqualified' THEN 'lost'
                            ELSE status END;
UPDATE homeowner_acquisition.prospects SET status = 'do_not_contact', claim_expires_at = NULL
 WHERE do_not_contact;
UPDATE homeowner_acquisition.prospects SET claim_expires_at = NULL
 WHERE status IN ('won', 'lost');
UPDATE homeowner_acquisition.prospects SET closed_at = coalesce(do_not_contact_at, updated_at)
 WHERE status IN ('won', 'lost', 'do_not_contact');

ALTER TABLE homeowner_acquisition.prospects
    ADD CONSTRAINT prospects_status_check CHECK (status IN ('new', 'contacted', 'meeting', 'proposal',
                                                            'negotiating', 'nurture', 'won', 'lost',
                                                            'do_not_contact')),
    ADD CONSTRAINT prospects_dnc_stage CHECK ((status = 'do_not_contact') = do_not_contact),
    ADD CONSTRAINT prospects_lost_reason CHECK (status <> 'lost' OR closed_reason IS NOT NULL),
    ADD CONSTRAINT prospects_claim CHECK (
        (assigned_to IS NOT NULL OR (claimed_at IS NULL AND claim_expires_at IS NULL))
        AND (claim_expires_at IS NULL OR claimed_at IS NOT NULL)),
    ADD CONSTRAINT prospects_closed_unclaimed CHECK (
        status NOT IN ('won', 'lost', 'do_not_contact') OR claim_expires_at IS NULL);

CREATE INDEX prospects_agent_idx ON homeowner_acquisition.prospects (assigned_to, follow_up_on)
    WHERE assigned_to IS NOT NULL;
CREATE INDEX prospects_owner_key_idx ON homeowner_acquisition.prospects (owner_key);

-- The guard: the stage machine and do-not-contact hold whoever writes the row
-- (a desk function, psql or a front end).
CREATE FUNCTION homeowner_acquisition.prospects_desk_guard() RETURNS trigger
    LANGUAGE plpgsql AS $$
DECLARE
    allowed text;
BEGIN
    -- do-not-contact is for good: neither the flag nor the stage ever goes back
    IF TG_OP = 'UPDATE' AND OLD.do_not_contact
       AND (NOT NEW.do_not_contact OR NEW.status IS DISTINCT FROM 'do_not_contact') THEN
        RAISE EXCEPTION 'lead % is do-not-contact for good', OLD.prospect_id
            USING ERRCODE = 'LD007',
                  DETAIL = format('set %s: %s', to_char(OLD.do_not_contact_at, 'YYYY-MM-DD'),
                                  OLD.do_not_contact_reason);
    END IF;
    -- do-not-contact is the flag and the stage at once
    IF NEW.do_not_contact AND NEW.status IS DISTINCT FROM 'do_not_contact'
       AND (TG_OP = 'INSERT' OR NOT OLD.do_not_contact) THEN
        NEW.status := 'do_not_contact';
    END IF;
    IF NEW.status = 'do_not_contact' AND NOT NEW.do_not_contact THEN
        NEW.do_not_contact := true;
        NEW.do_not_contact_reason := coalesce(NEW.do_not_contact_reason, NEW.closed_reason,
                                              'stage set to do not contact');
    END IF;
    IF NEW.do_not_contact THEN
        NEW.do_not_contact_at := coalesce(NEW.do_not_contact_at, now());
    END IF;
    IF TG_OP = 'UPDATE' THEN
        IF NEW.status IS DISTINCT FROM OLD.status THEN
            IF NOT EXISTS (SELECT 1 FROM homeowner_acquisition.lead_stage_moves() m
                            WHERE m.from_stage = OLD.status AND m.to_stage = NEW.status) THEN
                SELECT string_agg(m.to_stage, ', ') INTO allowed
                  FROM homeowner_acquisition.lead_stage_moves() m WHERE m.from_stage = OLD.status;
                RAISE EXCEPTION 'cannot move lead % from % to %', OLD.prospect_id, OLD.status, NEW.status
                    USING ERRCODE = 'LD005',
                          DETAIL = CASE WHEN allowed IS NULL
                                        THEN format('a lead at %s never moves again', OLD.status)
                                        ELSE format('from %s a lead can move to: %s', OLD.status, allowed) END;
            END IF;
            NEW.stage_changed_at := now();
            IF OLD.status = 'lost' THEN
                NEW.signal_since_lost_at := NULL;
                NEW.closed_reason := NULL;
            END IF;
        END IF;
        -- a changed mailing address is keyed again by the next mi-leads run
        IF (NEW.mailing_address, NEW.mailing_city, NEW.mailing_state, NEW.mailing_zip,
            NEW.mailing_country) IS DISTINCT FROM
           (OLD.mailing_address, OLD.mailing_city, OLD.mailing_state, OLD.mailing_zip,
            OLD.mailing_country)
           AND NEW.mailing_norm_key IS NOT DISTINCT FROM OLD.mailing_norm_key THEN
            NEW.mailing_norm_key := NULL;
        END IF;
    END IF;
    -- a closed lead holds no claim (its agent stays in assigned_to)
    IF NEW.status IN ('won', 'lost', 'do_not_contact') THEN
        NEW.claim_expires_at := NULL;
        IF TG_OP = 'INSERT' OR OLD.status IS DISTINCT FROM NEW.status THEN
            NEW.closed_at := now();
        END IF;
    ELSE
        NEW.closed_at := NULL;
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION homeowner_acquisition.prospects_desk_guard() IS
    'Trigger function on prospects (before insert or update): do_not_contact and the stage do_not_contact go together (setting either sets both, with do_not_contact_at) and do_not_contact is never cleared (LD007); a stage change must be one of lead_stage_moves() (LD005, the detail lists the legal moves) and stamps stage_changed_at; reopening a lost lead clears signal_since_lost_at; a closed stage (won, lost, do_not_contact) ends the claim and stamps closed_at; a changed mailing address clears mailing_norm_key for mi-leads to key again.';

CREATE TRIGGER prospects_desk_guard
    BEFORE INSERT OR UPDATE ON homeowner_acquisition.prospects
    FOR EACH ROW EXECUTE FUNCTION homeowner_acquisition.prospects_desk_guard();
COMMENT ON TRIGGER prospects_desk_guard ON homeowner_acquisition.prospects IS
    'Enforces the stage machine and final do-not-contact (homeowner_acquisition.prospects_desk_guard).';

COMMENT ON TABLE homeowner_acquisition.prospects IS
    'Owners (persons, couples, trusts, entities) we may win as clients, de-duplicated by normalized owner key + mailing address key (unique). A prospect is a lead: the unit of work of the acquisition team, with all of its properties (prospect_properties). Its stage (status), its claim (assigned_to until claim_expires_at), its follow-up and its snooze are changed by the lead desk functions (claim_next_lead, assign_lead, release_lead, log_lead_activity, set_lead_stage, snooze_lead, mark_do_not_contact), each of which logs a lead_activities row; the trigger prospects_desk_guard enforces the stage machine whoever writes. Created by mi-leads from the owner roll and sales, or by the team by hand; mi-leads never changes a stage or a claim.';
COMMENT ON COLUMN homeowner_acquisition.prospects.status IS
    'Stage of the lead: new, contacted, meeting, proposal, negotiating, nurture (open), won, lost or do_not_contact (closed); moves only along lead_stage_moves() (trigger prospects_desk_guard). mi-leads creates prospects at new and never changes the stage.';
COMMENT ON COLUMN homeowner_acquisition.prospects.assigned_to IS
    'Agent (login name) who holds the lead: its claim while claim_expires_at is in the future; kept after the claim lapses or the lead closes, as the last agent who worked it; NULL after a release.';
COMMENT ON COLUMN homeowner_acquisition.prospects.claimed_at IS 'When assigned_to took the lead (claim_next_lead, assign_lead); NULL when nobody holds it.';
COMMENT ON COLUMN homeowner_acquisition.prospects.claim_expires_at IS
    'When the claim lapses and the lead returns to the queue: a fresh claim holds claim_hours (etl.lead_settings), every action of its agent (touch) extends it to hold_days after the action, or after the follow-up or snooze date when that is later. NULL when nobody holds a claim; always NULL for closed stages.';
COMMENT ON COLUMN homeowner_acquisition.prospects.follow_up_on IS
    'Date of the next follow-up (log_lead_activity --follow-up): from that date the lead comes first in its agent''s list (mi-leads mine); cleared when an activity is logged on or after it without a new date.';
COMMENT ON COLUMN homeowner_acquisition.prospects.snoozed_until IS 'Date a snoozed lead comes back (snooze_lead): until then it is in no list (queue, mine, export).';
COMMENT ON COLUMN homeowner_acquisition.prospects.stage_changed_at IS 'When the stage last changed (set by trigger prospects_desk_guard).';
COMMENT ON COLUMN homeowner_acquisition.prospects.closed_reason IS 'Why the lead was lost (required for lost) or won; cleared when a lost lead is reopened.';
COMMENT ON COLUMN homeowner_acquisition.prospects.closed_at IS 'When the lead reached won, lost or do_not_contact (set by trigger); NULL while open.';
COMMENT ON COLUMN homeowner_acquisition.prospects.last_contacted_at IS 'When an agent last logged a call, email, SMS, letter, meeting or site visit with the owner.';
COMMENT ON COLUMN homeowner_acquisition.prospects.last_touched_at IS 'When an agent last acted on the lead (any desk function but mark_do_not_contact).';
COMMENT ON COLUMN homeowner_acquisition.prospects.signal_since_lost_at IS
    'Set by mi-leads when a strong new signal (worth signal_since_lost_points or more) arrives on a lost lead: the lead stays lost and the signal is logged as an activity; cleared when the lead is reopened.';
COMMENT ON COLUMN homeowner_acquisition.prospects.mailing_norm_key IS
    'Key of the whole mailing address by the project''s address normalizer, written by mi-leads for the suppression list to match (mailing_address_key of a buyer taken from a deed is a rougher key); NULL until keyed, and again when the mailing address changes.';
COMMENT ON COLUMN homeowner_acquisition.prospects.care_of IS
    'Care-of line of the mailing address (the name it goes to, without "C/O": a trustee, an accountant): the roll''s (external.properties.owner_care_of), filled by mi-leads while empty; a person may edit it.';
COMMENT ON COLUMN homeowner_acquisition.prospects.do_not_contact IS
    'True when the owner asked not to be contacted (or legal reasons): out of every list for good, never cleared (trigger); set by mark_do_not_contact on every prospect of the owner key, with the stage do_not_contact.';

-- ---------------------------------------------------------------------------
-- prospect_properties: a property of the owner's lead, no claim of its own
-- ---------------------------------------------------------------------------
DROP VIEW homeowner_acquisition.lead_queue;
DROP FUNCTION homeowner_acquisition.claim_next_lead(text, interval);
DROP INDEX homeowner_acquisition.prospect_properties_queue_idx;
ALTER TABLE homeowner_acquisition.prospect_properties
    DROP CONSTRAINT prospect_properties_claim_pair,
    DROP CONSTRAINT prospect_properties_claimed_has_claimer,
    DROP CONSTRAINT prospect_properties_snooze,
    DROP CONSTRAINT prospect_properties_status_check;
UPDATE homeowner_acquisition.prospect_properties SET status = 'new'
 WHERE status NOT IN ('new', 'won', 'lost', 'disqualified');
ALTER TABLE homeowner_acquisition.prospect_properties
    DROP COLUMN claimed_by,
    DROP COLUMN claimed_at,
    DROP COLUMN claim_expires_at,
    DROP COLUMN snoozed_until,
    DROP COLUMN last_contacted_at,
    DROP COLUMN next_action_at,
    ADD CONSTRAINT prospect_properties_status_check CHECK (status IN ('new', 'won', 'lost', 'disqualified'));
CREATE INDEX prospect_properties_open_idx ON homeowner_acquisition.prospect_properties
    (prospect_id, opportunity_score DESC NULLS LAST) WHERE status = 'new';

COMMENT ON TABLE homeowner_acquisition.prospect_properties IS
    'A property of a prospect''s lead (unique prospect + TMK): its current opportunity score with the signals that made it (written by mi-leads) and whether it is still open. Every property the owner holds (same owner key and mailing address, not ours) belongs to the lead, scored or not. The lead itself, its stage and its claim are the prospect''s: the queue (lead_queue) ranks owners by their best open property.';
COMMENT ON COLUMN homeowner_acquisition.prospect_properties.status IS
    'new: open, part of its owner''s lead; won, lost or disqualified: this one property is out of the lead (the owner''s stage is prospects.status).';
COMMENT ON COLUMN homeowner_acquisition.prospect_properties.lead_source_code IS 'The strongest signal or channel that brought this property in (lead_sources); follows the strongest signal while its owner''s lead is at stage new.';
COMMENT ON COLUMN homeowner_acquisition.prospect_properties.priority_boost IS 'Manual adjustment (-100..100 points) added to the score when the queue ranks owners by their best property.';
COMMENT ON COLUMN homeowner_acquisition.prospect_properties.closed_reason IS 'Why this property is out of the lead (won, lost or disqualified).';
COMMENT ON COLUMN homeowner_acquisition.prospect_properties.relationship IS 'How the prospect relates to the property: owner (of record, also an owner''s unscored parcels), co_owner, trustee, lessee, buyer (recent sale the roll does not show yet) or contact.';

-- ---------------------------------------------------------------------------
-- lead_activities: what agents do
-- ---------------------------------------------------------------------------
ALTER TABLE homeowner_acquisition.lead_activities DROP CONSTRAINT lead_activities_activity_type_check;
UPDATE homeowner_acquisition.lead_activities SET activity_type = 'claim'
 WHERE activity_type = 'status_change' AND subject = 'claimed from the lead queue';
ALTER TABLE homeowner_acquisition.lead_activities
    ADD COLUMN follow_up_on  date,
    ADD COLUMN stage_from    text,
    ADD COLUMN stage_to      text,
    ADD COLUMN handed_to     text,
    ADD CONSTRAINT lead_activities_activity_type_check CHECK (activity_type IN (
        'call', 'email', 'sms', 'letter', 'meeting', 'site_visit', 'note', 'proposal_sent',
        'status_change', 'claim', 'release', 'assign', 'snooze', 'do_not_contact', 'signal')),
    ADD CONSTRAINT lead_activities_stage_fields CHECK (
        (stage_to IS NULL OR activity_type = 'status_change') AND (stage_from IS NULL OR stage_to IS NOT NULL)),
    ADD CONSTRAINT lead_activities_handed_to CHECK ((handed_to IS NOT NULL) = (activity_type = 'assign'));
ALTER TABLE homeowner_acquisition.lead_activities
    ADD CONSTRAINT lead_activities_stage_change CHECK (activity_type <> 'status_change' OR stage_to IS NOT NULL)
    NOT VALID;

COMMENT ON TABLE homeowner_acquisition.lead_activities IS
    'Activity log of a prospect: the agents'' calls, emails, letters, meetings, site visits and notes (log_lead_activity), every claim, hand-over, release, snooze, stage move and do-not-contact (the desk functions write one row each), and the system''s own signal entries (activity_type signal, one per signal_key and prospect, so a re-run writes nothing twice: INSERT ... ON CONFLICT (prospect_id, signal_key) DO NOTHING).';
COMMENT ON COLUMN homeowner_acquisition.lead_activities.activity_type IS
    'The channel of a contact (call, email, sms, letter, meeting, site_visit), a note, proposal_sent, a desk action (claim, release, assign, snooze, do_not_contact, status_change for a stage move), or signal (written by mi-leads).';
COMMENT ON COLUMN homeowner_acquisition.lead_activities.performed_by IS 'Agent who did it (login name), or mi-leads for signals.';
COMMENT ON COLUMN homeowner_acquisition.lead_activities.outcome IS
    'Result of a contact (log_lead_activity): connected, left_message, no_answer, bounced, interested, not_interested, callback, meeting_set or completed. do_not_contact is kept by the CHECK for rows written before the lead desk; an owner who asks not to be contacted is marked with mark_do_not_contact instead.';
COMMENT ON COLUMN homeowner_acquisition.lead_activities.direction IS 'inbound (the owner reached us) or outbound (we reached out) for a contact; internal for notes, desk actions and signals.';
COMMENT ON COLUMN homeowner_acquisition.lead_activities.follow_up_on IS 'Follow-up date set with this activity (log_lead_activity), also copied to prospects.follow_up_on.';
COMMENT ON COLUMN homeowner_acquisition.lead_activities.stage_from IS 'Stage before a stage move (status_change rows).';
COMMENT ON COLUMN homeowner_acquisition.lead_activities.stage_to IS 'Stage after a stage move; set exactly on status_change rows written since the lead desk (older claim rows became claim).';
COMMENT ON COLUMN homeowner_acquisition.lead_activities.handed_to IS 'The agent an assign row handed the lead to; set exactly on assign rows.';

-- ---------------------------------------------------------------------------
-- The board: one row per owner with an open property, every figure once
-- ---------------------------------------------------------------------------
CREATE VIEW homeowner_acquisition.lead_board AS
SELECT p.prospect_id AS lead_id,
       p.display_name,
       p.owner_name_raw,
       p.owner_kind,
       p.care_of,
       p.mailing_address,
       p.mailing_city,
       p.mailing_state,
       p.mailing_zip,
       p.mailing_country,
       p.status AS stage,
       p.assigned_to AS agent,
       p.claimed_at,
       p.claim_expires_at,
       CASE WHEN p.claim_expires_at > now() THEN 'claimed'
            WHEN p.claim_expires_at IS NOT NULL THEN 'lapsed'
            ELSE 'unclaimed' END AS claim_state,
       p.follow_up_on,
       coalesce(p.follow_up_on <= current_date, false) AS follow_up_due,
       p.snoozed_until,
       p.do_not_contact,
       sup.suppression_id,
       p.signal_since_lost_at,
       p.closed_reason,
       p.last_contacted_at,
       b.property_count,
       b.prospect_property_id AS best_prospect_property_id,
       b.tmk AS best_tmk,
       b.tmk_display AS best_tmk_display,
       b.address AS best_address,
       b.city AS best_city,
       b.island AS best_island,
       b.queue_score,
       b.opportunity_score,
       b.lead_source_code,
       b.score_signals,
       h.holdings,
       coalesce(r.reasons, '{}') AS reasons,
       r.reasons[1] AS main_reason,
       coalesce(o.others, '[]') AS other_properties,
       own.adr AS own_adr,
       own.occupancy AS own_occupancy,
       cs.computed_on AS compset_latest_on,
       coalesce(cs.members, 0) AS compset_latest_members,
       rp.compset_computed_on,
       rp.comp_count AS compset_members,
       rp.adr AS compset_adr,
       rp.occupancy AS compset_occupancy,
       rp.period_start AS projection_start,
       rp.period_end AS projection_end,
       rp.projected_nights,
       rp.gross_revenue AS projected_gross,
       rp.management_fee_pct,
       rp.net_to_owner AS projected_net,
       (p.status IN ('new', 'contacted', 'meeting', 'proposal', 'negotiating', 'nurture')
        AND NOT p.do_not_contact AND sup.suppression_id IS NULL
        AND coalesce(p.claim_expires_at <= now(), true)
        AND coalesce(p.snoozed_until <= current_date, true)) AS waiting
  FROM homeowner_acquisition.prospects p
  -- the best open property that is not ours, and how many there are
  JOIN LATERAL (
        SELECT count(*) OVER () AS property_count, pp.prospect_property_id, pp.tmk::text AS tmk,
               pr.tmk_display, pr.address, pr.city, pr.island,
               coalesce(pp.opportunity_score, 0) + pp.priority_boost AS queue_score,
               pp.opportunity_score, pp.lead_source_code, pp.score_signals
          FROM homeowner_acquisition.prospect_properties pp
          JOIN external.properties pr ON pr.tmk = pp.tmk
         WHERE pp.prospect_id = p.prospect_id AND pp.status = 'new' AND NOT pr.is_ours
         ORDER BY coalesce(pp.opportunity_score, 0) + pp.priority_boost DESC, pp.tmk
         LIMIT 1) b ON true
  -- the first suppression entry that matches the owner
  LEFT JOIN LATERAL (
        SELECT s.suppression_id FROM etl.lead_suppressions s
         WHERE (s.owner_key IS NULL OR s.owner_key = p.owner_key)
           AND (s.address_key IS NULL
                OR (s.address_key IN (p.mailing_norm_key, nullif(p.mailing_address_key, ''))
                    AND (s.zip5 IS NULL OR left(p.mailing_zip, 5) IS NULL
                         OR s.zip5 = left(p.mailing_zip, 5))))
         ORDER BY s.suppression_id LIMIT 1) sup ON true
  -- several parcels: "owns 3 units at 2191 S Kihei Rd"
  LEFT JOIN LATERAL (
        SELECT CASE WHEN count(*) = 1 AND sum(g.n) >= 2
                    THEN 'owns ' || sum(g.n) || ' units at ' || min(g.building)
                    WHEN sum(g.n) >= 2
                    THEN 'owns ' || sum(g.n) || ' properties: '
                         || string_agg(CASE WHEN g.n > 1 THEN g.n || ' units at ' || g.building
                                            ELSE g.one END, ', ' ORDER BY g.n DESC, g.building)
               END AS holdings
          FROM (SELECT x.building_key, min(x.building) AS building, count(*) AS n,
                       min(x.label) AS one
                  FROM (SELECT CASE WHEN pr.address_key ~ ' #[^ ]+$'
                                    THEN regexp_replace(pr.address_key, ' #[^ ]+$', '')
                                    ELSE coalesce(pr.address_key, pr.tmk) END AS building_key,
                               CASE WHEN pr.address_key ~ ' #[^ ]+$' AND pr.address IS NOT NULL
                                    THEN regexp_replace(pr.address,
                                             '[[:space:],]*((#|\m(apt|apartment|unit|unt|ste|suite|no|number|rm|room|ph|penthouse|bldg|building|fl|floor|spc|space|trlr))\.?[[:space:]]*)?#?[[:space:]]*[[:alnum:]-]+[[:space:]]*$',
                                             '', 'i')
                                    ELSE coalesce(pr.address, pr.tmk_display) END AS building,
                               coalesce(pr.address, pr.tmk_display) AS label
                          FROM homeowner_acquisition.prospect_properties pp
                          JOIN external.properties pr ON pr.tmk = pp.tmk
                         WHERE pp.prospect_id = p.prospect_id AND pp.status = 'new'
                           AND NOT pr.is_ours) x
                 GROUP BY x.building_key) g) h ON true
  -- the best property's reasons, strongest first
  LEFT JOIN LATERAL (
        SELECT array_agg(etl.signal_reason(e ->> 'signal', e -> 'evidence') ORDER BY i) AS reasons
          FROM jsonb_array_elements(CASE WHEN jsonb_typeof(b.score_signals) = 'array'
                                         THEN b.score_signals ELSE '[]' END)
               WITH ORDINALITY AS s(e, i)) r ON true
  -- the other open properties, best first
  LEFT JOIN LATERAL (
        SELECT jsonb_agg(jsonb_build_object('prospect_property_id', pp.prospect_property_id,
                                            'tmk', pp.tmk, 'tmk_display', pr.tmk_display,
                                            'address', pr.address,
                                            'score', coalesce(pp.opportunity_score, 0) + pp.priority_boost)
                         ORDER BY coalesce(pp.opportunity_score, 0) + pp.priority_boost DESC, pp.tmk) AS others
          FROM homeowner_acquisition.prospect_properties pp
          JOIN external.properties pr ON pr.tmk = pp.tmk
         WHERE pp.prospect_id = p.prospect_id AND pp.status = 'new' AND NOT pr.is_ours
           AND pp.prospect_property_id <> b.prospect_property_id) o ON true
  -- the best property's own trailing metrics
  LEFT JOIN LATERAL (
        SELECT mm.adr, mm.occupancy FROM etl.market_metrics mm
         WHERE mm.subject_kind = 'property' AND mm.tmk = b.tmk AND mm.window_kind = 'trailing'
         ORDER BY mm.as_of DESC LIMIT 1) own ON true
  -- its latest competitive set, whatever its members hold
  LEFT JOIN LATERAL (
        SELECT c.computed_on, count(*) AS members FROM external.competitive_sets c
         WHERE c.subject_tmk = b.tmk
         GROUP BY c.computed_on ORDER BY c.computed_on DESC LIMIT 1) cs ON true
  -- and the comp-set figures and projection of its latest expected projection:
  -- the one source of the comp-set ADR and occupancy shown anywhere
  LEFT JOIN LATERAL (
        SELECT x.compset_computed_on, x.comp_count, x.adr, x.occupancy, x.period_start, x.period_end,
               x.projected_nights, x.gross_revenue, x.management_fee_pct, x.net_to_owner
          FROM homeowner_acquisition.revenue_projections x
         WHERE x.tmk = b.tmk AND x.scenario = 'expected'
         ORDER BY x.period_start DESC, x.revenue_projection_id DESC LIMIT 1) rp ON true;

COMMENT ON VIEW homeowner_acquisition.lead_board IS
    'One row per lead (prospect) with at least one open property that is not ours, whatever its stage: its owner and mailing address, stage, claim (claim_state claimed, lapsed or unclaimed), follow-up, snooze, do-not-contact and suppression, its best property (highest score + boost, then lowest TMK) with the reasons of its signals, the others, "owns N units at ..." when there are several, and the comp-set figures and revenue projection of the best property, all from its latest expected projection. The queue (lead_queue), mi-leads export, mi-leads queue and mi-report read their figures here, so a number is the same wherever it appears.';
COMMENT ON COLUMN homeowner_acquisition.lead_board.lead_id IS 'The lead: prospects.prospect_id (what mi-leads calls LEAD).';
COMMENT ON COLUMN homeowner_acquisition.lead_board.display_name IS 'Owner display name.';
COMMENT ON COLUMN homeowner_acquisition.lead_board.owner_name_raw IS 'Owner name as on the roll or deed.';
COMMENT ON COLUMN homeowner_acquisition.lead_board.owner_kind IS 'person, couple, trust, entity, government or unknown.';
COMMENT ON COLUMN homeowner_acquisition.lead_board.care_of IS 'Care-of line of the mailing address.';
COMMENT ON COLUMN homeowner_acquisition.lead_board.mailing_address IS 'Mailing street address as written.';
COMMENT ON COLUMN homeowner_acquisition.lead_board.mailing_city IS 'Mailing city as written.';
COMMENT ON COLUMN homeowner_acquisition.lead_board.mailing_state IS 'Mailing state, two letters.';
COMMENT ON COLUMN homeowner_acquisition.lead_board.mailing_zip IS 'Mailing postal code as written.';
COMMENT ON COLUMN homeowner_acquisition.lead_board.mailing_country IS 'Mailing country as written; NULL for the US.';
COMMENT ON COLUMN homeowner_acquisition.lead_board.stage IS 'Stage (prospects.status).';
COMMENT ON COLUMN homeowner_acquisition.lead_board.agent IS 'Agent who holds or last held the lead (prospects.assigned_to).';
COMMENT ON COLUMN homeowner_acquisition.lead_board.claimed_at IS 'When the agent took the lead.';
COMMENT ON COLUMN homeowner_acquisition.lead_board.claim_expires_at IS 'When the claim lapses (NULL: no claim).';
COMMENT ON COLUMN homeowner_acquisition.lead_board.claim_state IS 'claimed (a live claim), lapsed (the agent''s claim expired untouched) or unclaimed.';
COMMENT ON COLUMN homeowner_acquisition.lead_board.follow_up_on IS 'Next follow-up date.';
COMMENT ON COLUMN homeowner_acquisition.lead_board.follow_up_due IS 'True when the follow-up date is today or past.';
COMMENT ON COLUMN homeowner_acquisition.lead_board.snoozed_until IS 'Date a snoozed lead comes back.';
COMMENT ON COLUMN homeowner_acquisition.lead_board.do_not_contact IS 'True for a do-not-contact owner (never in a list).';
COMMENT ON COLUMN homeowner_acquisition.lead_board.suppression_id IS 'The first etl.lead_suppressions entry matching the owner; NULL when none (a suppressed owner is in no list).';
COMMENT ON COLUMN homeowner_acquisition.lead_board.signal_since_lost_at IS 'When a strong new signal arrived on this lost lead.';
COMMENT ON COLUMN homeowner_acquisition.lead_board.closed_reason IS 'Why the lead was lost or won.';
COMMENT ON COLUMN homeowner_acquisition.lead_board.last_contacted_at IS 'When an agent last logged a contact.';
COMMENT ON COLUMN homeowner_acquisition.lead_board.property_count IS 'Open properties of the owner that are not ours.';
COMMENT ON COLUMN homeowner_acquisition.lead_board.best_prospect_property_id IS 'The best property''s prospect_properties key.';
COMMENT ON COLUMN homeowner_acquisition.lead_board.best_tmk IS 'The best property''s TMK.';
COMMENT ON COLUMN homeowner_acquisition.lead_board.best_tmk_display IS 'The best property''s TMK in display form.';
COMMENT ON COLUMN homeowner_acquisition.lead_board.best_address IS 'The best property''s situs address.';
COMMENT ON COLUMN homeowner_acquisition.lead_board.best_city IS 'The best property''s city.';
COMMENT ON COLUMN homeowner_acquisition.lead_board.best_island IS 'The best property''s island.';
COMMENT ON COLUMN homeowner_acquisition.lead_board.queue_score IS 'Rank of the lead: the best property''s opportunity score (0 unscored) + priority boost.';
COMMENT ON COLUMN homeowner_acquisition.lead_board.opportunity_score IS 'The best property''s opportunity score.';
COMMENT ON COLUMN homeowner_acquisition.lead_board.lead_source_code IS 'The best property''s strongest signal or channel.';
COMMENT ON COLUMN homeowner_acquisition.lead_board.score_signals IS 'The best property''s signals (prospect_properties.score_signals).';
COMMENT ON COLUMN homeowner_acquisition.lead_board.holdings IS 'With several open properties: "owns 3 units at 2191 S Kihei Rd", or "owns 2 properties: ..."; NULL with one.';
COMMENT ON COLUMN homeowner_acquisition.lead_board.reasons IS 'The best property''s reason sentences (etl.signal_reason), strongest first.';
COMMENT ON COLUMN homeowner_acquisition.lead_board.main_reason IS 'The strongest reason sentence.';
COMMENT ON COLUMN homeowner_acquisition.lead_board.other_properties IS 'The other open properties, best first: JSON array of {prospect_property_id, tmk, tmk_display, address, score}.';
COMMENT ON COLUMN homeowner_acquisition.lead_board.own_adr IS 'The best property''s own trailing ADR (latest etl.market_metrics); NULL when it has no calendar data.';
COMMENT ON COLUMN homeowner_acquisition.lead_board.own_occupancy IS 'The best property''s own trailing occupancy 0-1; NULL when it has no calendar data.';
COMMENT ON COLUMN homeowner_acquisition.lead_board.compset_latest_on IS 'computed_on of the best property''s latest competitive set; NULL when it has none.';
COMMENT ON COLUMN homeowner_acquisition.lead_board.compset_latest_members IS 'Members of that competitive set (0 when none).';
COMMENT ON COLUMN homeowner_acquisition.lead_board.compset_computed_on IS 'computed_on of the competitive set behind the figures below (the projection''s).';
COMMENT ON COLUMN homeowner_acquisition.lead_board.compset_members IS 'Members whose metrics made the figures below.';
COMMENT ON COLUMN homeowner_acquisition.lead_board.compset_adr IS 'Comp-set ADR: the similarity-weighted mean of the members'' trailing ADR, as projected; NULL when there is no projection.';
COMMENT ON COLUMN homeowner_acquisition.lead_board.compset_occupancy IS 'Comp-set occupancy 0-1, likewise.';
COMMENT ON COLUMN homeowner_acquisition.lead_board.projection_start IS 'First night of the expected projection.';
COMMENT ON COLUMN homeowner_acquisition.lead_board.projection_end IS 'Day after its last night.';
COMMENT ON COLUMN homeowner_acquisition.lead_board.projected_nights IS 'Projected booked nights.';
COMMENT ON COLUMN homeowner_acquisition.lead_board.projected_gross IS 'Projected gross rent in USD.';
COMMENT ON COLUMN homeowner_acquisition.lead_board.management_fee_pct IS 'Management fee percent of the projection.';
COMMENT ON COLUMN homeowner_acquisition.lead_board.projected_net IS 'Projected net to owner in USD over the projection''s period.';
COMMENT ON COLUMN homeowner_acquisition.lead_board.waiting IS 'True when the lead is in the queue: an open stage, not do-not-contact, not suppressed, no live claim, not snoozed.';

CREATE VIEW homeowner_acquisition.lead_queue AS
SELECT b.*
  FROM homeowner_acquisition.lead_board b
 WHERE b.waiting
 ORDER BY b.queue_score DESC, b.lead_id;
COMMENT ON VIEW homeowner_acquisition.lead_queue IS
    'The lead queue: the owners waiting for an agent (lead_board rows with waiting: an open stage, not do-not-contact, not suppressed, no live claim, not snoozed), best first by their best property''s score + boost, then the older lead. Take the next one with claim_next_lead(agent).';

DO $$
DECLARE
    c record;
BEGIN
    FOR c IN SELECT a.attname, col_description(a.attrelid, a.attnum) AS d
               FROM pg_attribute a
              WHERE a.attrelid = 'homeowner_acquisition.lead_board'::regclass AND a.attnum > 0
    LOOP
        EXECUTE format('COMMENT ON COLUMN homeowner_acquisition.lead_queue.%I IS %L', c.attname, c.d);
    END LOOP;
END
$$;

-- ---------------------------------------------------------------------------
-- What the desk functions share (not callable by others: EXECUTE revoked)
-- ---------------------------------------------------------------------------
CREATE FUNCTION homeowner_acquisition.desk_agent(p_agent text, p_what text DEFAULT 'agent')
    RETURNS text
    LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    IF p_agent IS NULL OR btrim(p_agent) = '' THEN
        RAISE EXCEPTION 'an % name is required', p_what USING ERRCODE = '22023';
    END IF;
    IF length(btrim(p_agent)) > 64 OR btrim(p_agent) ~ '[[:cntrl:]]' THEN
        RAISE EXCEPTION '% name "%" must be 1-64 printable characters', p_what, left(p_agent, 80)
            USING ERRCODE = '22023';
    END IF;
    RETURN btrim(p_agent);
END
$$;
COMMENT ON FUNCTION homeowner_acquisition.desk_agent(text, text) IS
    'The agent name p_agent without surrounding blanks; raises 22023 when it is empty, longer than 64 characters or holds control characters (p_what names it in the message).';

CREATE FUNCTION homeowner_acquisition.desk_when(p_ts timestamptz) RETURNS text
    LANGUAGE sql STABLE AS $$
    SELECT to_char(p_ts, 'YYYY-MM-DD HH24:MI TZ')
$$;
COMMENT ON FUNCTION homeowner_acquisition.desk_when(timestamptz) IS
    'A time as the desk''s messages write it: YYYY-MM-DD HH24:MI and the session''s time zone.';

CREATE FUNCTION homeowner_acquisition.desk_lock(p_lead bigint, p_agent text, p_mode text)
    RETURNS homeowner_acquisition.prospects
    LANGUAGE plpgsql AS $$
DECLARE
    p homeowner_acquisition.prospects;
BEGIN
    SELECT * INTO p FROM homeowner_acquisition.prospects WHERE prospect_id = p_lead FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no lead %', coalesce(p_lead::text, 'NULL') USING ERRCODE = 'LD001';
    END IF;
    IF p_mode = 'any' THEN
        RETURN p;
    END IF;
    IF p.do_not_contact THEN
        RAISE EXCEPTION 'lead % is do-not-contact', p.prospect_id
            USING ERRCODE = 'LD007',
                  DETAIL = format('set %s: %s', to_char(p.do_not_contact_at, 'YYYY-MM-DD'),
                                  p.do_not_contact_reason);
    END IF;
    IF p.claim_expires_at > now() AND p.assigned_to IS DISTINCT FROM p_agent THEN
        RAISE EXCEPTION 'lead % is claimed by % until %', p.prospect_id, p.assigned_to,
                        homeowner_acquisition.desk_when(p.claim_expires_at)
            USING ERRCODE = 'LD002',
                  HINT = format('ask %s to hand it over, or wait until the claim lapses', p.assigned_to);
    END IF;
    IF p_mode = 'take' THEN
        RETURN p;
    END IF;
    -- p_mode = 'holder': the agent must hold a live claim
    IF p.claim_expires_at > now() THEN
        RETURN p;
    END IF;
    IF p.status IN ('won', 'lost') THEN
        RAISE EXCEPTION 'lead % is %', p.prospect_id, p.status
            USING ERRCODE = 'LD008',
                  DETAIL = coalesce('reason: ' || p.closed_reason, 'closed ' || to_char(p.closed_at, 'YYYY-MM-DD')),
                  HINT = CASE WHEN p.status = 'lost'
                              THEN format('reopen it by moving it to contacted or nurture (mi-leads status %s contacted)', p.prospect_id) END;
    END IF;
    IF p.assigned_to = p_agent AND p.claim_expires_at IS NOT NULL THEN
        RAISE EXCEPTION 'your claim on lead % lapsed at %', p.prospect_id,
                        homeowner_acquisition.desk_when(p.claim_expires_at)
            USING ERRCODE = 'LD003',
                  HINT = format('claim it again if nobody else has (mi-leads claim %s)', p.prospect_id);
    END IF;
    RAISE EXCEPTION 'lead % is not claimed by %', p.prospect_id, p_agent
        USING ERRCODE = 'LD004',
              HINT = format('claim it first (mi-leads claim %s), or take the next lead', p.prospect_id);
END
$$;
COMMENT ON FUNCTION homeowner_acquisition.desk_lock(bigint, text, text) IS
    'Locks the prospect p_lead (FOR UPDATE) for an action of p_agent and returns it. p_mode any: no further check; take: the owner is not do-not-contact (LD007) and nobody else holds a live claim (LD002); holder: besides, p_agent holds a live claim (LD008 when the lead is won or lost, LD003 when the agent''s claim lapsed, LD004 otherwise). LD001 when there is no such lead.';

CREATE FUNCTION homeowner_acquisition.desk_hold_until(p_follow_up date, p_snoozed date)
    RETURNS timestamptz
    LANGUAGE sql STABLE AS $$
    SELECT greatest(now(), greatest(p_follow_up, p_snoozed)::timestamptz)
           + make_interval(days => etl.lead_desk_setting('hold_days')::integer)
$$;
COMMENT ON FUNCTION homeowner_acquisition.desk_hold_until(date, date) IS
    'When a touched claim lapses: hold_days (etl.lead_settings) after now, or after the follow-up or snooze date when that is later.';

CREATE FUNCTION homeowner_acquisition.desk_claim_until() RETURNS timestamptz
    LANGUAGE sql STABLE AS $$
    SELECT now() + make_interval(hours => etl.lead_desk_setting('claim_hours')::integer)
$$;
COMMENT ON FUNCTION homeowner_acquisition.desk_claim_until() IS
    'When a fresh claim lapses unless touched: claim_hours (etl.lead_settings) from now.';

CREATE FUNCTION homeowner_acquisition.desk_log(
        p_lead bigint, p_agent text, p_type text, p_subject text, p_body text DEFAULT NULL,
        p_outcome text DEFAULT NULL, p_direction text DEFAULT 'internal', p_follow_up date DEFAULT NULL,
        p_stage_from text DEFAULT NULL, p_stage_to text DEFAULT NULL, p_handed_to text DEFAULT NULL,
        p_prospect_property_id bigint DEFAULT NULL)
    RETURNS bigint
    LANGUAGE sql AS $$
    INSERT INTO homeowner_acquisition.lead_activities
        (prospect_id, prospect_property_id, activity_type, direction, outcome, performed_by, subject,
         body, follow_up_on, stage_from, stage_to, handed_to)
    VALUES (p_lead, p_prospect_property_id, p_type, p_direction, p_outcome, p_agent, p_subject,
            nullif(btrim(p_body), ''), p_follow_up, p_stage_from, p_stage_to, p_handed_to)
    RETURNING lead_activity_id
$$;
COMMENT ON FUNCTION homeowner_acquisition.desk_log(bigint, text, text, text, text, text, text, date, text, text, text, bigint) IS
    'Writes one lead_activities row for a desk action and returns its id (a blank body is stored as NULL).';

CREATE FUNCTION homeowner_acquisition.desk_suppression(p_lead bigint) RETURNS bigint
    LANGUAGE sql STABLE AS $$
    SELECT b.suppression_id FROM homeowner_acquisition.lead_board b WHERE b.lead_id = p_lead
$$;
COMMENT ON FUNCTION homeowner_acquisition.desk_suppression(bigint) IS
    'The suppression entry matching the owner of lead p_lead (lead_board.suppression_id), or NULL.';

REVOKE ALL ON FUNCTION homeowner_acquisition.desk_agent(text, text),
                       homeowner_acquisition.desk_lock(bigint, text, text),
                       homeowner_acquisition.desk_hold_until(date, date),
                       homeowner_acquisition.desk_claim_until(),
                       homeowner_acquisition.desk_log(bigint, text, text, text, text, text, text, date, text, text, text, bigint),
                       homeowner_acquisition.desk_suppression(bigint)
    FROM PUBLIC;
