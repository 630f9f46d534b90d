// Events that began between 2017 and 2019, grouped by the agents that took part in them.
MATCH (e:Event)-[:PARTICIPANT]->(a:Agent)
WHERE e.earliest >= date('2017-01-01') AND e.earliest < date('2020-01-01')
WITH a, e
ORDER BY e.earliest, e.id
RETURN a.label AS actor, count(e) AS events, collect(e.id) AS event_ids
ORDER BY events DESC, actor
