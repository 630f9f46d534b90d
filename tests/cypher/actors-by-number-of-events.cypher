// The ten agents that appear in the most events, as participants or as targets.
MATCH (e:Event)-[r:PARTICIPANT|TARGET]->(a:Agent)
WITH a, type(r) AS role, count(DISTINCT e) AS n
WITH a,
     max(CASE WHEN role = 'PARTICIPANT' THEN n ELSE 0 END) AS as_participant,
     max(CASE WHEN role = 'TARGET' THEN n ELSE 0 END) AS as_target
MATCH (e:Event)-[:PARTICIPANT|TARGET]->(a)
RETURN a.id AS actor, a.label AS label, count(DISTINCT e) AS events, as_participant, as_target
ORDER BY events DESC, actor
LIMIT 10
