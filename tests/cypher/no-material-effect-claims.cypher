// Claims that a measure had (or would have) no material effect, grouped by what they are
// about, with how many support and how many dispute them.
MATCH (cause:Entity)-[r:HAS_NO_MATERIAL_EFFECT_ON]->(effect:Entity)
RETURN cause.id AS cause, effect.id AS effect,
       count(CASE WHEN r.stance = 'supports' THEN 1 END) AS supporting,
       count(CASE WHEN r.stance = 'disputes' THEN 1 END) AS disputing,
       max(r.confidence) AS best_confidence
ORDER BY cause, effect
