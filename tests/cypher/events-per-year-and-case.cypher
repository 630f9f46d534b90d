// How many events of each case began in each year (from the earliest bound of their date).
MATCH (e:Event)-[:IN_CASE]->(c:Case)
WHERE e.earliest IS NOT NULL
RETURN c.id AS case, e.earliest.year AS year, count(e) AS events
ORDER BY case, year
