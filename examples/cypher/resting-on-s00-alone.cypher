// Every record whose only source is S00, the Common Dreams page the casebook starts from:
// S00 shows that these statements were made, nothing more.
MATCH (x:Entity)-[:SOURCE]->(s:Source)
WITH x, collect(s.id) AS sources
WHERE size(sources) = 1 AND sources[0] = 's00'
RETURN x.kind AS kind, x.id AS id, x.status AS status, x.label AS label
ORDER BY kind, id
