// Two-step chains to the rise of Mexico's homicide rate whose first step a causal claim asserts
// and whose second a casebook link step asserts (a claim is a relationship, a link step a node
// between FROM and TO): the claim and its asserters, then the link and the claims it rests on.
MATCH (a:Entity)-[c:CAUSES|CONTRIBUTES_TO|ENABLES|TRIGGERS]->(m:Entity)<-[:FROM]-(s:LinkStep)-[:TO]->(b:Entity {id: 'mexico-homicide-rise'})
MATCH (l:Link)-[:STEP]->(s)
MATCH (l)-[:BASIS]->(basis:Claim)
WHERE c.stance = 'supports'
WITH a, c, m, l, s, b, basis
ORDER BY basis.id
WITH a, c, m, l, s, b, collect(basis.id) AS link_basis
RETURN [a.id, m.id, b.id] AS chain,
       c.claim_ids[0] AS claim,
       c.asserted_by AS claim_asserted_by,
       l.id AS link,
       l.relation AS link_relation,
       link_basis
ORDER BY claim
