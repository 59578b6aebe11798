-- The spec's admin_analytics view body (../shared/spec/database-schema.md), verbatim, as a query.
-- Used by benchmarks/data_layer.py and tests/crm/test_analytics.py to compare against ours.
SELECT 
    u.id as user_id,
    u.email,
    COUNT(DISTINCT ui.influencer_id) as total_influencers,
    COUNT(DISTINCT CASE WHEN ui.status = 'partnered' THEN ui.influencer_id END) as partnered_influencers,
    COUNT(DISTINCT c.id) as total_campaigns,
    COUNT(DISTINCT i.id) as total_interactions,
    AVG(ui.relationship_strength) as avg_relationship_strength,
    MAX(ui.last_contacted_at) as last_activity
FROM users u
LEFT JOIN user_influencers ui ON u.id = ui.user_id
LEFT JOIN campaigns c ON u.id = c.user_id
LEFT JOIN interactions i ON u.id = i.user_id
GROUP BY u.id, u.email;
