-- 082_contracts.sql: contracts and onboarding.  An accepted proposal becomes a
-- contract (083 sign_contract), which makes its property ours, closes the lead
-- as won, takes the property out of every list and seeds the onboarding
-- checklist; the nightly run (086 advance_contracts) starts and ends contracts
-- on their dates and ticks the onboarding tasks the market data proves done;
-- an agent ends one (084 terminate_contract) or ticks a task by hand (085
-- complete_onboarding_task).  This file holds what they share:
--
--   contracts                   the terms signed (copied from the proposal version)
--   onboarding_tasks.data_rule  the tasks the nightly data completes, and three new
--                               templates (license on the listing, first booked
--                               nights, first review)
--   onboarding_progress.evidence  what proved a task done
--   lead_activities             kinds contract and onboarding, and the contract
--   lead_stage_moves()          won -> lost: the owner whose last contract ended
--   contract_in_force()         one definition of "ours under contract" on a date
--   contracted_properties       the properties under a contract in force today,
--                               which mi-compset adds to the portfolio file's
--   contract_desk_errors()      the SQLSTATEs of the contract actions
--
-- Errors (class LD, like the lead desk's; 22023 for a bad value):
--   LD010 no such proposal, contract or onboarding task
--   LD011 the proposal is not accepted
--   LD012 the property is already under a live contract, or the proposal signed
--   LD013 the contract is not live (already ended or cancelled)
--   LD014 the property is not one of the owner's
--   LD015 the onboarding task is already done
--   LD005 the lead's stage cannot move to won (illegal stage move)

-- ---------------------------------------------------------------------------
-- contracts: the signed terms
-- ---------------------------------------------------------------------------
ALTER TABLE homeowner_acquisition.contracts
    ADD COLUMN terms         jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(terms) = 'object'),
    ADD COLUMN recorded_by   text,
    ADD COLUMN ended_by      text;

COMMENT ON TABLE homeowner_acquisition.contracts IS
    'Management contracts, one row per property: sign_contract writes them from an accepted proposal (its version''s fee, term, notice and terms, overridable when signing), at most one signed or active contract per TMK (partial unique index). While in force (contract_in_force: signed or active, started, not past an end date that does not renew) the property is ours: external.properties.is_ours (set by sign_contract and advance_contracts, and kept by mi-compset, which adds contracted_properties to the portfolio file), out of the lead queue, the lead board and the mail export, a comp-set subject as ours; signing seeds onboarding_progress. terminate_contract (an agent) and advance_contracts (the nightly run: start, renewal, expiry) end them; the property then returns to the market and the owner''s lead to lost, the history kept.';
COMMENT ON COLUMN homeowner_acquisition.contracts.contract_number IS 'Contract number printed on the agreement, unique: given when signing, else C-<start year>-<contract_id, four digits>.';
COMMENT ON COLUMN homeowner_acquisition.contracts.status IS
    'signed (start date ahead), active (managing: started), terminated (ended by terminate_contract), expired (term over without renewal, by advance_contracts); pending_signature and cancelled are never written by the code (kept by the CHECK for contracts entered by hand).';
COMMENT ON COLUMN homeowner_acquisition.contracts.signed_on IS 'Date the contract was signed (sign_contract: today).';
COMMENT ON COLUMN homeowner_acquisition.contracts.start_date IS 'First day of management: the contract turns active on it (at signing when today or past, else by the nightly run); onboarding due dates count from it.';
COMMENT ON COLUMN homeowner_acquisition.contracts.end_date IS 'End of the current term (exclusive): start_date + term_months; advance_contracts moves it one term on while auto_renew, else expires the contract on it; NULL without a term (open-ended). A terminated contract keeps it.';
COMMENT ON COLUMN homeowner_acquisition.contracts.management_fee_pct IS 'Agreed management fee, percent of gross rent (the proposal version''s unless given when signing).';
COMMENT ON COLUMN homeowner_acquisition.contracts.term_months IS 'Term in months (the proposal version''s contract_term_months unless given); NULL for open-ended.';
COMMENT ON COLUMN homeowner_acquisition.contracts.auto_renew IS 'True when the term renews by itself at end_date (advance_contracts moves end_date on); false: the contract expires then.';
COMMENT ON COLUMN homeowner_acquisition.contracts.termination_notice_days IS 'Notice period in days (the proposal version''s termination_notice_days).';
COMMENT ON COLUMN homeowner_acquisition.contracts.terminated_on IS 'Date the contract ended by terminate_contract; required for status terminated.';
COMMENT ON COLUMN homeowner_acquisition.contracts.termination_reason IS 'Why it was terminated (required by terminate_contract), or "term ended" for an expiry.';
COMMENT ON COLUMN homeowner_acquisition.contracts.signed_by IS 'Name of the signatory for the owner (trustee, officer ...), when given.';
COMMENT ON COLUMN homeowner_acquisition.contracts.proposal_id IS 'The accepted proposal the contract was signed from.';
COMMENT ON COLUMN homeowner_acquisition.contracts.proposal_version_id IS 'The proposal version in force when signed (proposals.current_version_no), whose terms were copied.';
COMMENT ON COLUMN homeowner_acquisition.contracts.terms IS 'The other terms signed, as data: the proposal version''s terms object with its onboarding_fee, cleaning_fee, owner_nights_per_year and minimum_guarantee, and any term changed when signing.';
COMMENT ON COLUMN homeowner_acquisition.contracts.recorded_by IS 'Agent who recorded the signature (sign_contract).';
COMMENT ON COLUMN homeowner_acquisition.contracts.ended_by IS 'Agent who terminated the contract, or mi-leads for an expiry.';
COMMENT ON COLUMN homeowner_acquisition.contracts.document_uri IS 'Where the signed agreement is stored, when given.';

-- ---------------------------------------------------------------------------
-- onboarding: the tasks the data completes, and the evidence
-- ---------------------------------------------------------------------------
ALTER TABLE homeowner_acquisition.onboarding_tasks
    ADD COLUMN data_rule text CHECK (data_rule IN ('listing_ours', 'license_on_listing', 'booked_nights',
                                                   'first_review'));
CREATE UNIQUE INDEX onboarding_tasks_data_rule_key ON homeowner_acquisition.onboarding_tasks (data_rule)
    WHERE data_rule IS NOT NULL AND is_active;
COMMENT ON COLUMN homeowner_acquisition.onboarding_tasks.data_rule IS
    'The evidence in the market data that completes the task by itself (advance_contracts, each night): listing_ours (the property''s current manager in external.property_managers is one of ours), license_on_listing (an active listing of the property under our manager shows a TAT or GET id), booked_nights (such a listing''s calendar shows nights booked from the contract start on), first_review (a review of such a listing from the contract start on). NULL: done by hand only (complete_onboarding_task). At most one active template per rule.';

UPDATE homeowner_acquisition.onboarding_tasks SET data_rule = 'listing_ours' WHERE task_code = 'LISTING_CREATION';
INSERT INTO homeowner_acquisition.onboarding_tasks
    (task_code, title, description, category, responsible_role, counties, due_offset_days,
     is_required, blocks_go_live, sort_order, data_rule) VALUES
    ('LISTING_LICENSE_SHOWN', 'Tax ids shown on the listing', 'The live listing shows the TAT (and GET) registration number, as every advertisement must (HRS 237D-4.5).', 'compliance', 'marketing', '{1,2,3,4}', 28, true, false, 275, 'license_on_listing'),
    ('FIRST_BOOKING', 'First booked nights', 'The first guest nights are booked on our listing''s calendar.', 'marketing', 'marketing', '{1,2,3,4}', 45, true, false, 310, 'booked_nights'),
    ('FIRST_REVIEW', 'First guest review', 'The first guest review of a stay under our management is published; read it with the owner.', 'owner', 'operations', '{1,2,3,4}', 75, false, false, 320, 'first_review')
ON CONFLICT DO NOTHING;

COMMENT ON TABLE homeowner_acquisition.onboarding_tasks IS
    'Templates of the onboarding checklist of a newly signed property (Hawaii tax licences, county STR permit, insurance, setup, listing, owner portal, first booking and review ...). sign_contract gives each contract one onboarding_progress row per active template whose counties hold the property''s county, due due_offset_days after the contract start; templates with a data_rule are also completed by the nightly data.';

ALTER TABLE homeowner_acquisition.onboarding_progress
    ADD COLUMN evidence jsonb CHECK (jsonb_typeof(evidence) = 'object');
COMMENT ON COLUMN homeowner_acquisition.onboarding_progress.evidence IS
    'What proved the task done, as a JSON object: for a task done by the data, the rule and its facts (manager history row, listing, tax ids, booked nights, review) and the run; for one done by hand, the agent''s note and evidence_uri. NULL while open.';
COMMENT ON TABLE homeowner_acquisition.onboarding_progress IS
    'The onboarding checklist of a contract: one row per contract and task template (unique), seeded by sign_contract from the active onboarding_tasks of the property''s county, due on the contract start + due_offset_days. A task is done by an agent (complete_onboarding_task, mi-leads task done) or, for templates with a data_rule, by the nightly run when the market data shows it (advance_contracts), each time with its evidence, completed_at and completed_by (the agent, or mi-leads). An open task past due_on is overdue (mi-leads show, mi-report). When the contract ends, its open tasks are skipped.';
COMMENT ON COLUMN homeowner_acquisition.onboarding_progress.status IS
    'pending (seeded), done (complete_onboarding_task or the nightly data), skipped (open when its contract ended); in_progress, blocked and not_applicable are for the team''s own edits.';
COMMENT ON COLUMN homeowner_acquisition.onboarding_progress.due_on IS 'Due date: the contract start_date + the template''s due_offset_days (set at signing); open past it = overdue.';
COMMENT ON COLUMN homeowner_acquisition.onboarding_progress.completed_by IS 'The agent who marked it done, or mi-leads when the nightly data did.';
COMMENT ON COLUMN homeowner_acquisition.onboarding_progress.evidence_uri IS 'Where the proof is: the URI an agent gave, or the URL of the listing that proved a data task.';
COMMENT ON COLUMN homeowner_acquisition.onboarding_progress.notes IS 'Free-text notes: the agent''s note, or why the task was skipped.';

-- ---------------------------------------------------------------------------
-- lead_activities: the contract's events, tied to it
-- ---------------------------------------------------------------------------
ALTER TABLE homeowner_acquisition.lead_activities
    ADD COLUMN contract_id bigint REFERENCES homeowner_acquisition.contracts (contract_id);
CREATE INDEX lead_activities_contract_idx ON homeowner_acquisition.lead_activities (contract_id)
    WHERE contract_id IS NOT NULL;
COMMENT ON COLUMN homeowner_acquisition.lead_activities.contract_id IS 'The contract a contract or onboarding activity (or the stage move a contract made) is about.';

-- the kinds of the desk and whatever other migrations added, plus these two
DO $$
DECLARE
    def text;
BEGIN
    SELECT pg_get_constraintdef(c.oid) INTO def
      FROM pg_constraint c
     WHERE c.conrelid = 'homeowner_acquisition.lead_activities'::regclass
       AND c.conname = 'lead_activities_activity_type_check';
    ALTER TABLE homeowner_acquisition.lead_activities DROP CONSTRAINT lead_activities_activity_type_check;
    EXECUTE format('ALTER TABLE homeowner_acquisition.lead_activities ADD CONSTRAINT '
                   'lead_activities_activity_type_check CHECK ((%s) OR activity_type IN (''contract'', ''onboarding''))',
                   substring(def FROM '^CHECK \((.*)\)$'));
END
$$;
COMMENT ON COLUMN homeowner_acquisition.lead_activities.activity_type IS
    'The channel of a contact (call, email, sms, letter, meeting, site_visit), a note, proposal_sent, a desk action (claim, release, assign, snooze, do_not_contact, status_change for a stage move), contract (signed, started, renewed, terminated, expired), onboarding (a task done, by an agent or by the nightly data), or signal (written by mi-leads).';

-- ---------------------------------------------------------------------------
-- The stage machine: a won owner whose last contract ended is lost
-- ---------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION homeowner_acquisition.lead_stage_moves()
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
        ('won', ARRAY['lost', 'do_not_contact'])) AS m(f, ts)
     CROSS JOIN LATERAL unnest(m.ts) AS t
$$;
COMMENT ON FUNCTION homeowner_acquisition.lead_stage_moves() IS
    'Every legal stage move (from_stage -> to_stage), enforced by the prospects_desk_guard trigger whoever updates prospects.status: forward through new, contacted, meeting, proposal, negotiating to won; to nurture from any open stage and back to contacted, meeting or proposal; to lost from any open stage, and from won when the owner''s last contract ended (terminate_contract, advance_contracts) or the owner left; a lost owner who comes back is reopened to contacted or nurture; do_not_contact from any stage, and nothing ever leaves it. No move goes back along new -> contacted -> meeting -> proposal -> negotiating.';

-- ---------------------------------------------------------------------------
-- In force, and the properties under contract
-- ---------------------------------------------------------------------------
CREATE FUNCTION homeowner_acquisition.contract_in_force(p_status text, p_start date, p_end date,
                                                        p_auto_renew boolean, p_on date)
    RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT p_status IN ('signed', 'active') AND p_start <= p_on
           AND (p_end IS NULL OR p_end > p_on OR p_auto_renew)
$$;
COMMENT ON FUNCTION homeowner_acquisition.contract_in_force(text, date, date, boolean, date) IS
    'True when a contract with that status, start, end and renewal is in force on p_on: signed or active, started on or before p_on, and its term not over (no end date, an end after p_on, or a term that renews). The one definition the nightly run, mi-compset and the views share.';

CREATE VIEW homeowner_acquisition.contracted_properties AS
SELECT c.tmk, c.contract_id, c.contract_number, c.prospect_id, c.status, c.start_date, c.end_date
  FROM homeowner_acquisition.contracts c
 WHERE homeowner_acquisition.contract_in_force(c.status, c.start_date, c.end_date, c.auto_renew,
                                               current_date);
COMMENT ON VIEW homeowner_acquisition.contracted_properties IS
    'The properties under a contract in force today (contract_in_force): ours, whatever the portfolio file says. mi-compset makes external.properties.is_ours true for them besides the portfolio''s TMKs, so a contract is never undone by the next night.';
COMMENT ON COLUMN homeowner_acquisition.contracted_properties.tmk IS 'The property.';
COMMENT ON COLUMN homeowner_acquisition.contracted_properties.contract_id IS 'The contract in force.';
COMMENT ON COLUMN homeowner_acquisition.contracted_properties.contract_number IS 'Its number.';
COMMENT ON COLUMN homeowner_acquisition.contracted_properties.prospect_id IS 'The owner (lead) who signed it.';
COMMENT ON COLUMN homeowner_acquisition.contracted_properties.status IS 'signed (started today, before the nightly run marks it active) or active.';
COMMENT ON COLUMN homeowner_acquisition.contracted_properties.start_date IS 'First day of management.';
COMMENT ON COLUMN homeowner_acquisition.contracted_properties.end_date IS 'End of the current term (exclusive), NULL when open-ended.';

COMMENT ON COLUMN external.properties.is_ours IS
    'True when the property is in our management portfolio: the TMKs of the portfolio file (config/portfolio.ini, synced by mi-compset) and the properties under a contract in force (set by sign_contract and advance_contracts, cleared when the contract ends and the portfolio file does not list it). Our properties are never scored or queued, and are comp-set subjects.';

-- ---------------------------------------------------------------------------
-- The errors
-- ---------------------------------------------------------------------------
CREATE FUNCTION homeowner_acquisition.contract_desk_errors()
    RETURNS TABLE (sqlstate text, meaning text)
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    VALUES ('LD010'::text, 'no such proposal, contract or onboarding task'::text),
           ('LD011', 'the proposal is not accepted'),
           ('LD012', 'the property is already under a live contract, or the proposal was signed already'),
           ('LD013', 'the contract is not live (ended or cancelled)'),
           ('LD014', 'the property is not one of the owner''s'),
           ('LD015', 'the onboarding task is already done'),
           ('LD005', 'the lead cannot move to won from its stage'),
           ('22023', 'a bad value (a start date more than a year away, a fee or term out of range)')
$$;
COMMENT ON FUNCTION homeowner_acquisition.contract_desk_errors() IS
    'The SQLSTATEs the contract and onboarding functions (sign_contract, terminate_contract, complete_onboarding_task) raise besides those of lead_desk_errors() (claim errors of the lead): each message is a sentence an agent can read, with a DETAIL or HINT where they help.';

-- ---------------------------------------------------------------------------
-- Shared by the actions (not callable by others: EXECUTE revoked)
-- ---------------------------------------------------------------------------
CREATE FUNCTION homeowner_acquisition.contract_log(p_contract homeowner_acquisition.contracts,
                                                   p_agent text, p_type text, p_subject text,
                                                   p_body text DEFAULT NULL, p_run_id text DEFAULT NULL)
    RETURNS bigint
    LANGUAGE sql AS $$
    INSERT INTO homeowner_acquisition.lead_activities
        (prospect_id, prospect_property_id, activity_type, direction, performed_by, subject, body,
         contract_id, run_id)
    VALUES (p_contract.prospect_id,
            (SELECT pp.prospect_property_id FROM homeowner_acquisition.prospect_properties pp
              WHERE pp.prospect_id = p_contract.prospect_id AND pp.tmk = p_contract.tmk),
            p_type, 'internal', p_agent, p_subject, nullif(btrim(p_body), ''), p_contract.contract_id,
            p_run_id)
    RETURNING lead_activity_id
$$;
COMMENT ON FUNCTION homeowner_acquisition.contract_log(homeowner_acquisition.contracts, text, text, text, text, text) IS
    'Writes one lead_activities row of kind p_type (contract or onboarding) about contract p_contract, on its owner''s lead and property, and returns its id.';

CREATE FUNCTION homeowner_acquisition.contract_end(p_contract bigint, p_status text, p_on date,
                                                   p_reason text, p_by text, p_run_id text DEFAULT NULL)
    RETURNS void
    LANGUAGE plpgsql AS $$
DECLARE
    c homeowner_acquisition.contracts;
    p homeowner_acquisition.prospects;
    still_ours boolean;
    what text := CASE p_status WHEN 'terminated' THEN 'terminated' ELSE 'expired' END;
BEGIN
    UPDATE homeowner_acquisition.contracts
       SET status = p_status,
           terminated_on = CASE WHEN p_status = 'terminated' THEN p_on END,
           termination_reason = p_reason, ended_by = p_by
     WHERE contract_id = p_contract
    RETURNING * INTO c;
    -- the unfinished checklist stops
    UPDATE homeowner_acquisition.onboarding_progress
       SET status = 'skipped', notes = concat_ws('; ', notes, 'contract ' || what || ' on ' || p_on)
     WHERE contract_id = c.contract_id AND status IN ('pending', 'in_progress', 'blocked');
    -- the property returns to the market, unless another contract holds it
    still_ours := EXISTS (SELECT 1 FROM homeowner_acquisition.contracts o
                           WHERE o.tmk = c.tmk AND o.contract_id <> c.contract_id
                             AND homeowner_acquisition.contract_in_force(o.status, o.start_date, o.end_date,
                                                                         o.auto_renew, p_on));
    IF NOT still_ours THEN
        UPDATE external.properties SET is_ours = false, updated_at = now()
         WHERE tmk = c.tmk AND is_ours;
        -- back in its owner's lead, scored again by the next night
        UPDATE homeowner_acquisition.prospect_properties
           SET status = 'new', closed_reason = NULL
         WHERE prospect_id = c.prospect_id AND tmk = c.tmk AND status = 'won';
    END IF;
    PERFORM homeowner_acquisition.contract_log(c, p_by, 'contract',
        format('contract %s %s (%s)', c.contract_number, what, c.tmk), p_reason, p_run_id);
    -- the owner with no other live contract is lost: reopened like any lost lead
    SELECT * INTO p FROM homeowner_acquisition.prospects WHERE prospect_id = c.prospect_id FOR UPDATE;
    IF p.status = 'won' AND NOT EXISTS (
            SELECT 1 FROM homeowner_acquisition.contracts o
             WHERE o.prospect_id = c.prospect_id AND o.status IN ('signed', 'active')) THEN
        UPDATE homeowner_acquisition.prospects
           SET status = 'lost',
               closed_reason = format('contract %s %s: %s', c.contract_number, what, p_reason)
         WHERE prospect_id = p.prospect_id;
        INSERT INTO homeowner_acquisition.lead_activities
            (prospect_id, activity_type, direction, performed_by, subject, body, stage_from, stage_to,
             contract_id, run_id)
        VALUES (p.prospect_id, 'status_change', 'internal', p_by, 'stage won -> lost',
                format('contract %s %s', c.contract_number, what), 'won', 'lost', c.contract_id, p_run_id);
    END IF;
END
$$;
COMMENT ON FUNCTION homeowner_acquisition.contract_end(bigint, text, date, text, text, text) IS
    'Ends contract p_contract with p_status terminated (terminated_on = p_on) or expired, the reason and who ended it: skips its open onboarding tasks; unless another contract in force holds the property, clears external.properties.is_ours and puts the property back in its owner''s lead (prospect_properties.status new: scored again by the next night); logs a contract activity; moves an owner with no other signed or active contract from won to lost (closed_reason names the contract). Called by terminate_contract and advance_contracts.';

CREATE FUNCTION homeowner_acquisition.contract_start(p_contract bigint, p_by text, p_run_id text DEFAULT NULL)
    RETURNS void
    LANGUAGE plpgsql AS $$
DECLARE
    c homeowner_acquisition.contracts;
BEGIN
    UPDATE homeowner_acquisition.contracts SET status = 'active'
     WHERE contract_id = p_contract AND status = 'signed'
    RETURNING * INTO c;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    UPDATE external.properties SET is_ours = true, updated_at = now() WHERE tmk = c.tmk AND NOT is_ours;
    PERFORM homeowner_acquisition.contract_log(c, p_by, 'contract',
        format('contract %s active: %s is ours from %s', c.contract_number, c.tmk, c.start_date),
        NULL, p_run_id);
END
$$;
COMMENT ON FUNCTION homeowner_acquisition.contract_start(bigint, text, text) IS
    'Makes a signed contract active (its start date came): the property becomes ours (external.properties.is_ours) and a contract activity is logged. Nothing for a contract that is not signed. Called by sign_contract and advance_contracts.';

REVOKE ALL ON FUNCTION homeowner_acquisition.contract_log(homeowner_acquisition.contracts, text, text, text, text, text),
                       homeowner_acquisition.contract_end(bigint, text, date, text, text, text),
                       homeowner_acquisition.contract_start(bigint, text, text)
    FROM PUBLIC;

-- ---------------------------------------------------------------------------
-- The evidence in words (mi-leads, mi-report)
-- ---------------------------------------------------------------------------
CREATE FUNCTION homeowner_acquisition.onboarding_evidence_text(p_evidence jsonb, p_uri text DEFAULT NULL)
    RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE p_evidence ->> 'rule'
           WHEN 'listing_ours' THEN
                format('the manager history shows %s since %s (%s)', p_evidence ->> 'manager_name',
                       p_evidence ->> 'since',
                       (SELECT string_agg(x, ', ') FROM jsonb_array_elements_text(p_evidence -> 'listings') x))
           WHEN 'license_on_listing' THEN
                format('listing %s shows %s', p_evidence ->> 'listing',
                       (SELECT string_agg(x, ', ') FROM jsonb_array_elements_text(p_evidence -> 'tax_ids') x))
           WHEN 'booked_nights' THEN
                format('%s nights booked on listing %s, the first %s (calendar of %s)',
                       p_evidence ->> 'booked_nights', p_evidence ->> 'listing', p_evidence ->> 'first_night',
                       p_evidence ->> 'snapshot')
           WHEN 'first_review' THEN
                format('review %s of %s on listing %s', p_evidence ->> 'review', p_evidence ->> 'review_date',
                       p_evidence ->> 'listing')
           ELSE nullif(concat_ws('; ', p_evidence ->> 'note', coalesce(p_evidence ->> 'uri', p_uri)), '')
           END
$$;
COMMENT ON FUNCTION homeowner_acquisition.onboarding_evidence_text(jsonb, text) IS
    'onboarding_progress.evidence as a sentence: for a task done by the data, the facts of its rule (the manager history row, the tax ids on the listing, the booked nights, the review); for one done by hand, the note and the evidence URI (p_uri when the object has none). NULL when there is nothing to say.';

-- ---------------------------------------------------------------------------
-- What the other comments say, now that contracts exist
-- ---------------------------------------------------------------------------
COMMENT ON COLUMN homeowner_acquisition.prospect_properties.status IS
    'new: open, part of its owner''s lead; won: under a contract signed from its lead (sign_contract; back to new when the contract ends, contract_end); lost or disqualified: this one property is out of the lead (the owner''s stage is prospects.status).';
COMMENT ON COLUMN homeowner_acquisition.prospect_properties.closed_reason IS 'Why this property is out of the lead: "contract C-..." for a signed one, or why it was lost or disqualified; cleared when a contract ends.';
COMMENT ON COLUMN homeowner_acquisition.onboarding_progress.assigned_to IS 'Team member responsible (login name), when the team sets one; no function writes it.';
COMMENT ON COLUMN homeowner_acquisition.onboarding_progress.started_at IS 'When work on the task started, when the team records it; no function writes it.';
COMMENT ON COLUMN homeowner_acquisition.onboarding_progress.blocked_reason IS 'What blocks the task, for the team''s blocked status (required with it).';
COMMENT ON COLUMN homeowner_acquisition.onboarding_progress.completed_at IS 'When the task was marked done (complete_onboarding_task or the nightly run); set exactly when status is done.';
COMMENT ON COLUMN homeowner_acquisition.contracts.prospect_id IS 'The owner who signed: the proposal''s prospect (the lead).';
COMMENT ON COLUMN homeowner_acquisition.contracts.tmk IS 'The property managed under the contract (one contract per property).';
