// The organisations designated on 2025-02-20 and whether each is based in Mexico (the
// casebook: eight designated, six of them Mexican; S00 speaks of six cartels).
MATCH (d:Designation {id: 'us-2025-03'})-[:TARGET]->(o:Entity)
OPTIONAL MATCH (o)-[:BASED_IN]->(p:Place)
OPTIONAL MATCH (p)-[:LOCATED_IN*0..2]->(mexico:Place {id: 'mexico'})
RETURN o.label AS organisation, mexico IS NOT NULL AS mexican
ORDER BY mexican DESC, organisation
