// Chains of two to four causal steps that start at Peña Nieto's kingpin strategy
// (mx-2012-03), every step backed by a supporting claim; one row per combination of claims,
// with the claim and its sources at each step.
MATCH p = (start:Entity {id: 'mx-2012-03'})-[:CAUSES|CONTRIBUTES_TO|ENABLES|TRIGGERS*2..4]->(end:Entity)
WHERE all(r IN relationships(p) WHERE r.stance = 'supports')
RETURN [n IN nodes(p) | n.id] AS chain,
       [r IN relationships(p) | r.claim_ids[0]] AS claims,
       [r IN relationships(p) | r.source_ids] AS sources
ORDER BY chain, claims
