// Per case, how many of the Allen relations derived between its events are certain and how
// many only possible.
MATCH (a:Event)-[:IN_CASE]->(c:Case)
MATCH (a)-[r]->(b:Event)
WHERE type(r) STARTS WITH 'INTERVAL_'
RETURN c.id AS case,
       count(CASE WHEN r.certain THEN 1 END) AS certain,
       count(CASE WHEN NOT r.certain THEN 1 END) AS possible
ORDER BY case
