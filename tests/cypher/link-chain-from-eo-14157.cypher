// The chain from Executive Order 14157 (us-2025-01) to the directive on military force
// against cartels (us-2025-13) over the casebook's link steps: every two-step path, with the
// link and relation of each step and the sources the links rest on.
MATCH (a:Entity {id: 'us-2025-01'})<-[:FROM]-(s1:LinkStep)-[:TO]->(m:Entity)<-[:FROM]-(s2:LinkStep)-[:TO]->(b:Entity {id: 'us-2025-13'})
MATCH (l1:Link)-[:STEP]->(s1)
MATCH (l2:Link)-[:STEP]->(s2)
MATCH (l:Link)-[:SOURCE]->(src:Source)
WHERE l = l1 OR l = l2
WITH a, m, b, s1, s2, l1, l2, src
ORDER BY src.id
WITH a, m, b, s1, s2, l1, l2, collect(DISTINCT src.id) AS sources
RETURN [a.id, m.id, b.id] AS chain,
       [s1.id, s2.id] AS steps,
       [l1.casebook_ids[0], l2.casebook_ids[0]] AS links,
       [l1.relation, l2.relation] AS relations,
       sources
ORDER BY chain
