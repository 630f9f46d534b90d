// Mexico's homicide rate per 100,000 inhabitants (INEGI), year by year, with every revision
// and qualifier kept as its own observation.
MATCH (o:Observation)-[:MEASURE]->(:Measure {id: 'homicide-rate-per-100k'})
MATCH (o)-[:REF_PLACE]->(:Place {id: 'mexico'})
RETURN o.date_edtf AS period, o.value AS rate, o.qualifier AS qualifier,
       o.revision AS revision, o.id AS observation
ORDER BY o.earliest, o.latest, observation
