// US overdose deaths as the CDC's releases give them, with the source of each figure.
MATCH (o:Observation)-[:MEASURE]->(:Measure {id: 'overdose-deaths'})
OPTIONAL MATCH (o)-[:SOURCE]->(s:Source)
WITH o, s
ORDER BY s.id
RETURN o.earliest AS start, o.latest AS end, o.date_edtf AS period, o.value AS deaths,
       o.qualifier AS qualifier, collect(s.id) AS sources, o.id AS observation
ORDER BY start, end, observation
