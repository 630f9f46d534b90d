// The sources that the most claims rest on, and how many distinct claim rows of the
// casebook (CL-NN) they back.
MATCH (c:Claim)-[:SOURCE]->(s:Source)
UNWIND c.casebook_ids AS row
WITH s, count(DISTINCT c) AS claims, collect(DISTINCT row) AS rows
RETURN s.id AS source, s.label AS title, claims, size(rows) AS casebook_rows
ORDER BY claims DESC, source
LIMIT 8
