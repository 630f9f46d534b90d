// Effects that some claims support and others dispute, and every claim about them: cause,
// relation, stance, confidence and who asserts it.
MATCH (c:Claim)-[:EFFECT]->(e:Entity)
WITH e, collect(c.stance) AS stances
WHERE 'supports' IN stances AND 'disputes' IN stances
MATCH (c:Claim)-[:EFFECT]->(e)
MATCH (c)-[:CAUSE]->(cause:Entity)
OPTIONAL MATCH (c)-[:ASSERTED_BY]->(a:Entity)
WITH e, cause, c, a
ORDER BY a.label
RETURN e.id AS effect, cause.id AS cause, c.id AS claim, c.relation AS relation,
       c.stance AS stance, c.confidence AS confidence, collect(a.label) AS asserted_by
ORDER BY effect, stance DESC, claim
