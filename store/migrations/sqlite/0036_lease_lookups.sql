-- A node's and an operator's leases, and the attempts still open under a
-- caller: extending a node's leases every few seconds, an operator's claim
-- in a progressive campaign and the release at start-up read only these
-- few rows, not every pending task of a campaign of millions.
CREATE INDEX campaign_tasks_lease_owner ON campaign_tasks(lease_owner) WHERE state = 'leased';
CREATE INDEX campaign_attempts_open ON campaign_attempts(caller) WHERE ended_at IS NULL;
