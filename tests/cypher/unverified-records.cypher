// Everything the casebook marks UNVERIFIED, with the note that says which part.
MATCH (x:Entity {status: 'UNVERIFIED'})
RETURN x.kind AS kind, x.id AS id, x.label AS label, x.status_note AS note
ORDER BY kind, id
