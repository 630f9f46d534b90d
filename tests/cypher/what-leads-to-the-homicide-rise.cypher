// Everything that leads to the rise of Mexico's homicide rate through one to three causal
// steps, with the relation, stance and asserters of each step.
MATCH p = (cause:Entity)-[:CAUSES|CONTRIBUTES_TO|ENABLES|TRIGGERS*1..3]->(:Entity {id: 'mexico-homicide-rise'})
WITH [n IN nodes(p) | n.id] AS chain, relationships(p) AS steps
RETURN chain,
       [r IN steps | r.relation] AS relations,
       [r IN steps | r.stance] AS stances,
       [r IN steps | r.claim_ids[0]] AS claims,
       [r IN steps | r.asserted_by] AS asserted_by
ORDER BY size(chain), chain, claims
