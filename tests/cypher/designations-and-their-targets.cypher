// The designation events and the organisations they designated, with where each is based.
MATCH (d:Designation)
OPTIONAL MATCH (d)-[:TARGET]->(t:Entity)
OPTIONAL MATCH (t)-[:BASED_IN]->(p:Place)
WITH d, t, p
ORDER BY t.label
RETURN d.earliest AS start, d.id AS designation, d.date_edtf AS date, count(t) AS targets,
       collect(CASE WHEN t IS NULL THEN NULL ELSE {organisation: t.label, based_in: p.id} END)
         AS organisations
ORDER BY start, designation
