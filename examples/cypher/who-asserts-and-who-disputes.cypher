// Who asserts, and who disputes, that the 2017-2018 strikes on Afghan drug labs did not hurt
// Taliban revenue (casebook claim CL-05), with the sources each rests on.
MATCH (c:Claim)-[:ASSERTED_BY]->(a:Entity)
WHERE 'CL-05' IN c.casebook_ids
MATCH (c)-[:EFFECT]->(effect:Entity)
OPTIONAL MATCH (c)-[:SOURCE]->(s:Source)
WITH c, a, effect, s
ORDER BY s.id
RETURN c.stance AS stance, a.label AS asserter, effect.label AS effect,
       collect(s.id) AS sources
ORDER BY stance, asserter, effect
