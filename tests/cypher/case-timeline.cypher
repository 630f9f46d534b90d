// The US military-options case in date order: each event with its EDTF date, its bounds,
// and whether the date is approximate or uncertain.
MATCH (e:Event)-[:IN_CASE]->(:Case {id: 'us-military-options-against-cartels'})
RETURN e.earliest AS earliest, e.latest AS latest, e.date_edtf AS date, e.id AS event,
       e.type AS type, coalesce(e.approximate, false) AS approximate,
       coalesce(e.uncertain, false) AS uncertain
ORDER BY earliest, latest, event
