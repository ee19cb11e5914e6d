-- Campaign work (issue 6): who works a task, which order a return-visit
-- task is about, which progressive campaign an operator is working, and
-- the lookups from a task to the orders and calls it made.

-- A supervisor may assign tasks to an operator (reassign): only she is
-- offered them while they are assigned; NULL is anyone in the campaign.
ALTER TABLE campaign_tasks ADD COLUMN assigned_to INTEGER REFERENCES accounts(id);
CREATE INDEX campaign_tasks_assigned ON campaign_tasks(assigned_to, campaign_id) WHERE assigned_to IS NOT NULL AND state IN ('pending', 'leased');

-- Satisfaction campaigns are fed from completed orders: the order the
-- return-visit call is about.
ALTER TABLE campaign_tasks ADD COLUMN order_id INTEGER REFERENCES orders(id);

-- The progressive campaign an operator works (Anxin dials for her while
-- she is ready); NULL when she works none.
ALTER TABLE agent_states ADD COLUMN campaign_id INTEGER REFERENCES campaigns(id);

-- From a task to what it made.
CREATE INDEX orders_campaign_task ON orders(campaign_task_id) WHERE campaign_task_id IS NOT NULL;
CREATE INDEX calls_campaign_task ON calls(campaign_task_id) WHERE campaign_task_id IS NOT NULL;
