-- 023_lead_reasons.sql: the sentence an acquisition agent reads for each
-- signal of a lead (mi-leads next and queue).

CREATE FUNCTION etl.signal_reason(p_signal text, p_evidence jsonb) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN p_signal = 'recent_sale' THEN
            'sold on ' || coalesce(p_evidence ->> 'sale_date', p_evidence ->> 'recorded', '?')
            || CASE WHEN p_evidence ->> 'sale_date' IS DISTINCT FROM p_evidence ->> 'recorded'
                         AND p_evidence ->> 'sale_date' IS NOT NULL AND p_evidence ->> 'recorded' IS NOT NULL
                    THEN ' (recorded ' || (p_evidence ->> 'recorded') || ')' ELSE '' END
            || coalesce(' for ' || to_char((p_evidence ->> 'price')::numeric, 'FM$999,999,999,990'), '')
            || coalesce(' to ' || (p_evidence ->> 'grantee'), '')
            || CASE WHEN (p_evidence ->> 'buyer_out_of_state')::boolean
                    THEN coalesce(' (buyer mails from ' || (p_evidence ->> 'buyer_state') || ', out of state)',
                                  ' (out-of-state buyer)')
                    WHEN (p_evidence ->> 'buyer_absentee')::boolean THEN ' (absentee buyer)'
                    ELSE '' END
        WHEN p_signal = 'manager_change' THEN
            'manager changed from ' || coalesce(p_evidence ->> 'from', p_evidence ->> 'from_key', '?')
            || ' to ' || coalesce(p_evidence ->> 'to', p_evidence ->> 'to_key', '?')
            || ' on ' || coalesce(p_evidence ->> 'since', '?')
        WHEN p_signal = 'self_managed' THEN
            'run by the owner or a one-property host'
            || coalesce(' (' || (p_evidence ->> 'manager') || ')', '')
        -- a fall that leaves the mean above zero reads as praise when put as
        -- "averages +0.42": say it fell
        WHEN p_signal LIKE 'review\_%' AND (p_evidence ->> 'recent_mean')::numeric >= 0
             AND (p_evidence ->> 'prior_mean')::numeric > (p_evidence ->> 'recent_mean')::numeric THEN
            coalesce(p_evidence ->> 'aspect', substr(p_signal, 8)) || ' reviews cooling: sentiment down from '
            || to_char((p_evidence ->> 'prior_mean')::numeric, 'FMS0.00') || ' to '
            || to_char((p_evidence ->> 'recent_mean')::numeric, 'FMS0.00')
            || ' over the last ' || coalesce(p_evidence ->> 'recent_days', '?') || ' days ('
            || coalesce(p_evidence ->> 'recent_reviews', '?') || ' reviews)'
        WHEN p_signal LIKE 'review\_%' THEN
            coalesce(p_evidence ->> 'aspect', substr(p_signal, 8)) || ' sentiment averages '
            || to_char((p_evidence ->> 'recent_mean')::numeric, 'FMS0.00')
            || ' over the last ' || coalesce(p_evidence ->> 'recent_days', '?') || ' days ('
            || coalesce(p_evidence ->> 'recent_reviews', '?') || ' reviews)'
            || coalesce(', was ' || to_char((p_evidence ->> 'prior_mean')::numeric, 'FMS0.00'), '')
        WHEN p_signal = 'occupancy_below_compset' THEN
            'occupancy ' || round((p_evidence ->> 'occupancy')::numeric * 100) || '% vs '
            || round((p_evidence ->> 'compset_occupancy')::numeric * 100)
            || '% for its competitive set (' || coalesce(p_evidence ->> 'compset_members', '?') || ' comps)'
        WHEN p_signal = 'adr_below_compset' THEN
            'ADR ' || to_char((p_evidence ->> 'adr')::numeric, 'FM$999,990.00') || ' vs '
            || to_char((p_evidence ->> 'compset_adr')::numeric, 'FM$999,990.00')
            || ' for its competitive set (' || coalesce(p_evidence ->> 'compset_members', '?') || ' comps)'
        WHEN p_signal = 'listing_dark' THEN
            'listing ' || coalesce(p_evidence ->> 'platform', '?') || ' '
            || coalesce(p_evidence ->> 'listing_id', '?')
            || CASE WHEN p_evidence ->> 'how' = 'delisted'
                    THEN ' delisted on ' || coalesce(p_evidence ->> 'since', '?')
                    ELSE ' has its calendar closed ahead (as of ' || coalesce(p_evidence ->> 'since', '?') || ')' END
        ELSE replace(p_signal, '_', ' ')
    END
$$;
COMMENT ON FUNCTION etl.signal_reason(text, jsonb) IS
    'One plain-English sentence (a sale gives its contract date, and its recording date when it differs) explaining an opportunity signal from its evidence object (as stored in prospect_properties.score_signals and lead_activities.signal_data), e.g. "cleanliness sentiment averages -0.62 over the last 180 days (4 reviews), was +0.40"; a fall that leaves the mean at or above zero reads "amenities reviews cooling: sentiment down from +0.84 to +0.42 over the last 180 days (2 reviews)". Used by mi-leads to print leads.';
