// Agents who assert claims in more than one row of the casebook, with those rows.
MATCH (c:Claim)-[:ASSERTED_BY]->(a:Agent)
UNWIND c.casebook_ids AS row
WITH a, row
ORDER BY row
WITH a, collect(DISTINCT row) AS rows
WHERE size(rows) > 1
RETURN a.id AS agent, a.label AS label, rows
ORDER BY size(rows) DESC, agent
