// The casebook's links (LNK-NN) whose relation is causal, step by step.
MATCH (l:Link)-[:STEP]->(s:LinkStep)
WHERE l.relation IN ['causes', 'contributesTo', 'enables', 'triggers', 'prevents']
MATCH (s)-[:FROM]->(a:Entity)
MATCH (s)-[:TO]->(b:Entity)
RETURN l.id AS link, l.relation AS relation, s.step_index AS step, a.id AS from, b.id AS to
ORDER BY link, step, from, to
