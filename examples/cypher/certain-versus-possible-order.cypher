// How the Sinaloa factional war (mx-2024-02, open-ended) stands in time to other events:
// certain Allen relations, and the sets of relations that are only possible because a date
// is uncertain or open.
MATCH (war:Event {id: 'mx-2024-02'})-[r]-(other:Event)
WHERE type(r) STARTS WITH 'INTERVAL_'
WITH other, r, startNode(r) = war AS outgoing
ORDER BY type(r)
RETURN other.id AS event, other.date_edtf AS date, outgoing,
       [x IN collect(r) WHERE x.certain | type(x)] AS certain,
       [x IN collect(r) WHERE NOT x.certain | type(x)] AS possible
ORDER BY event, outgoing
